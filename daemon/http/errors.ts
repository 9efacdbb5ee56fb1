import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { ZodError } from 'zod'
import { SochatError, errorBody } from '../errors/index.js'

/** Every failure answers `{error: {code, message}}` with a stable code; internals stay in the log. */
export function errorHandler(log: Logger) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof SochatError) return reply.code(err.httpStatus).send(errorBody(err))
    if (err instanceof ZodError) {
      const issue = err.issues[0]
      const where = issue?.path.join('.') || 'body'
      return reply.code(400).send({ error: { code: 'bad_request', message: `Invalid ${where}: ${issue?.message ?? 'bad input'}.` } })
    }
    const fe = err as FastifyError
    if (fe.statusCode === 413)
      return reply.code(413).send({ error: { code: 'message_too_large', message: 'The request body is too large.' } })
    if (fe.statusCode === 429)
      return reply.code(429).send({ error: { code: 'rate_limited', message: 'Too many attempts; wait a minute and try again.' } })
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ error: { code: 'bad_request', message: fe.message } })
    }
    log.error({ err, url: req.url, method: req.method }, 'request failed')
    return reply.code(500).send({ error: { code: 'internal', message: 'Something went wrong in the daemon; its log says what.' } })
  }
}
