/**
 * Who is asking. A script sends `Authorization: Bearer <token>`; the page has the HttpOnly
 * cookie, whose secret is not the bearer token (daemon/accounts/sessions.ts).
 *
 * A browser sends the cookie of 127.0.0.1 to every port of 127.0.0.1, so whatever listens on
 * another local port (a dev server, a hostile local service) receives it, and, not being a
 * browser, can replay it with any Origin. The cookie alone therefore proves nothing: every
 * cookie request must also carry the session's CSRF token, which only the page has (in its
 * origin-scoped localStorage), in `X-CSRF-Token` — GETs too, or a thief would read the token
 * from GET /api/v1/sessions/current. The WebSocket carries it as a subprotocol (`csrfOfUpgrade`).
 * The one exception is a route marked `cookieOnly` (below), for `<img src>` and download links,
 * which cannot send headers.
 *
 * Routes for a signed-in person are registered behind `Auth.signedIn` (index.ts) and read the
 * session from `req.who`; none of them looks it up itself.
 */
import { timingSafeEqual } from 'node:crypto'
import type {} from '@fastify/cookie' // request.cookies / reply.setCookie types
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SecretKind, SessionInfo, Sessions } from '../accounts/index.js'
import { AuthError } from '../errors/index.js'

export interface Authenticated {
  session: SessionInfo
  /** The secret it came with, of the kind `via`: log-out revokes the session by it. */
  token: string
  via: SecretKind
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: set by the `Auth.signedIn` hook, so only in the routes registered behind it. */
    who: Authenticated
  }
  interface FastifyContextConfig {
    /**
     * A GET the page makes with `<img src>` or `<a href download>`, which cannot send
     * `X-CSRF-Token`: the cookie alone is enough. Only for content addressed by what a thief
     * of the cookie cannot list (a file by room, message id and SHA-256) or what is harmless
     * to leak (a profile picture by username). Never for a route that lists or tells anything.
     */
    cookieOnly?: boolean
  }
}

/** The page's WebSocket subprotocol; the server selects it, so the token is never echoed. */
export const PAGE_PROTOCOL = 'sochat'
/** The other subprotocol the page offers: `sochat.csrf.<CSRF token>` (base64url is a valid token). */
export const CSRF_PROTOCOL_PREFIX = 'sochat.csrf.'

export class Auth {
  /** Per daemon, so two daemons of two users on one machine do not overwrite each other's cookie. */
  readonly cookieName: string

  constructor(
    private readonly sessions: Sessions,
    nodeId: string,
  ) {
    this.cookieName = `sochat_${nodeId.slice(0, 8)}`
  }

  /** The session of the request's bearer token or cookie, without the CSRF check. */
  async identify(req: FastifyRequest): Promise<Authenticated | null> {
    const header = req.headers.authorization
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7).trim()
      const session = await this.sessions.lookup('bearer', token)
      return session ? { session, token, via: 'bearer' } : null
    }
    const token = req.cookies[this.cookieName]
    if (!token) return null
    const session = await this.sessions.lookup('cookie', token)
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
    const exempt = req.routeOptions.config.cookieOnly === true && (req.method === 'GET' || req.method === 'HEAD')
    if (who.via === 'cookie' && !exempt && !sameToken(req.headers['x-csrf-token'], who.session.csrfToken)) {
      throw new AuthError('csrf_failed', 'Missing or wrong X-CSRF-Token header; reload the page.')
    }
    req.who = who
  }

  /**
   * The session of a WebSocket upgrade, or null. With the cookie, the page must prove the
   * CSRF token as the subprotocol `sochat.csrf.<token>` (browsers cannot set other headers on
   * a WebSocket); a bearer token needs no proof, as on every other route.
   */
  async identifyUpgrade(req: FastifyRequest): Promise<Authenticated | null> {
    const who = await this.identify(req)
    if (!who || who.via === 'bearer') return who
    return sameToken(csrfOfUpgrade(req), who.session.csrfToken) ? who : null
  }

  setCookie(reply: FastifyReply, secret: string): void {
    reply.setCookie(this.cookieName, secret, { httpOnly: true, sameSite: 'strict', path: '/', secure: false })
  }

  clearCookie(reply: FastifyReply): void {
    reply.clearCookie(this.cookieName, { path: '/' })
  }
}

/** The token in a `sochat.csrf.<token>` subprotocol offered by the upgrade, if any. */
function csrfOfUpgrade(req: FastifyRequest): string | undefined {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',')
  return offered
    .map((p) => p.trim())
    .find((p) => p.startsWith(CSRF_PROTOCOL_PREFIX))
    ?.slice(CSRF_PROTOCOL_PREFIX.length)
}

/**
 * Chooses the page's subprotocol when offered. Whoever offers only the CSRF one gets none
 * back, and a browser then fails the socket: the token is never repeated in a response.
 */
export function choosePageProtocol(offered: Set<string>): string | false {
  return offered.has(PAGE_PROTOCOL) ? PAGE_PROTOCOL : false
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}
