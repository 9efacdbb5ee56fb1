import type { FastifyReply, FastifyRequest } from 'fastify'
import { AuthError } from '../errors/index.js'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function hostname(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!
}

/** DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends Host: evil.example. */
export async function hostGuard(req: FastifyRequest): Promise<void> {
  const host = req.headers.host ?? ''
  if (!LOCAL_HOSTS.has(hostname(host).toLowerCase())) {
    throw new AuthError('forbidden_host', `This SO-CHAT page only answers to localhost, not "${host.slice(0, 100)}".`)
  }
}

/**
 * A browser names the page that sent a request in Origin. Writes and WebSocket upgrades must
 * come from our own origin; scripts (curl, bots) send no Origin and authenticate by token.
 */
export async function originGuard(req: FastifyRequest): Promise<void> {
  const origin = req.headers.origin
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.headers.upgrade !== undefined
  if (!unsafe || origin === undefined) return
  if (origin !== `http://${req.headers.host}`) {
    throw new AuthError('forbidden_origin', `Requests from ${origin.slice(0, 100)} are not allowed; use the SO-CHAT page itself.`)
  }
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export async function securityHeaders(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('x-frame-options', 'DENY')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('cross-origin-opener-policy', 'same-origin')
  reply.header('cross-origin-resource-policy', 'same-origin')
}
