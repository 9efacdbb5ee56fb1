import type { FastifyInstance } from 'fastify'
import { Credentials, type SessionResponse } from '../../../shared/index.js'
import { secretsSigner, wipe } from '../../accounts/index.js'
import type { HttpContext } from '../context.js'

/** Log in: public, and rate limited per client and per account name. */
export function logInRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post(
    '/api/v1/sessions',
    {
      config: {
        rateLimit: {
          max: 10,
          timeWindow: 60_000,
          // After body parsing: the key includes the username from the body.
          hook: 'preHandler',
          // Per account name as well as per client: guessing one person's password stays slow.
          keyGenerator: (req) => `${req.ip}|${String((req.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
        },
      },
    },
    async (req, reply) => {
      const { session: issued, upgrade } = await ctx.accounts.logIn(Credentials.parse(req.body))
      if (upgrade) {
        // Its first log-in since account keys: the keys go into the log, signed with the new
        // key, queued ahead of anything this session will sign with it.
        const signer = secretsSigner(upgrade.secrets, upgrade.keys)
        await ctx.outbox
          .submit(upgrade.body, { durable: true, timeoutMs: ctx.submitTimeoutMs, signer })
          .finally(() => wipe(upgrade.secrets))
        ctx.log.info({ username: issued.username }, 'an account from before account keys got its keys')
      }
      // The cookie secret goes only into Set-Cookie; the body has the bearer token, for scripts.
      ctx.auth.setCookie(reply, issued.cookie)
      const res: SessionResponse = { username: issued.username, token: issued.token, csrfToken: issued.csrfToken }
      return reply.code(201).send(res)
    },
  )
}

/** The session in use: who it is (and its CSRF token, for the page), and log-out. */
export function sessionRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/sessions/current', async (req) => {
    const { session } = req.who
    return { username: session.username, csrfToken: session.csrfToken }
  })

  app.delete('/api/v1/sessions/current', async (req, reply) => {
    await ctx.accounts.sessions.revoke(req.who.via, req.who.token)
    ctx.auth.clearCookie(reply)
    return reply.code(204).send()
  })
}
