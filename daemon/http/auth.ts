/**
 * Who is asking. A script sends `Authorization: Bearer <token>`; the page has the HttpOnly
 * cookie, and then every state-changing request must also carry the session's CSRF token.
 * Routes for a signed-in person are registered behind `Auth.signedIn` (index.ts) and read
 * the session from `req.who`; none of them looks it up itself.
 */
import { timingSafeEqual } from 'node:crypto'
import type {} from '@fastify/cookie' // request.cookies / reply.setCookie types
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Sessions } from '../accounts/index.js'
import { AuthError } from '../errors/index.js'
import type { LocalSession } from '../store/index.js'

export interface Authenticated {
  session: LocalSession
  token: string
  via: 'bearer' | 'cookie'
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: set by the `Auth.signedIn` hook, so only in the routes registered behind it. */
    who: Authenticated
  }
}

export class Auth {
  /** Per daemon, so two daemons of two users on one machine do not overwrite each other's cookie. */
  readonly cookieName: string

  constructor(
    private readonly sessions: Sessions,
    nodeId: string,
  ) {
    this.cookieName = `sochat_${nodeId.slice(0, 8)}`
  }

  async identify(req: FastifyRequest): Promise<Authenticated | null> {
    const header = req.headers.authorization
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7).trim()
      const session = await this.sessions.lookup(token)
      return session ? { session, token, via: 'bearer' } : null
    }
    const token = req.cookies[this.cookieName]
    if (!token) return null
    const session = await this.sessions.lookup(token)
    return session ? { session, token, via: 'cookie' } : null
  }

  /**
   * The hook of the signed-in scope: the session into `req.who`, or a 401/403 that says what
   * to do. A preHandler, so a body that is malformed or too large is refused (400/413) before
   * the session is asked for.
   */
  readonly signedIn = async (req: FastifyRequest): Promise<void> => {
    const who = await this.identify(req)
    if (!who) throw new AuthError('unauthenticated', 'Log in first (or send Authorization: Bearer <token>).')
    const unsafe = !['GET', 'HEAD'].includes(req.method)
    if (who.via === 'cookie' && unsafe && !sameToken(req.headers['x-csrf-token'], who.session.csrfToken)) {
      throw new AuthError('csrf_failed', 'Missing or wrong X-CSRF-Token header; reload the page.')
    }
    req.who = who
  }

  setCookie(reply: FastifyReply, token: string): void {
    reply.setCookie(this.cookieName, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: false })
  }

  clearCookie(reply: FastifyReply): void {
    reply.clearCookie(this.cookieName, { path: '/' })
  }
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}
