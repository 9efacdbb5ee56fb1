import type { FastifyInstance } from 'fastify'
import { Credentials, PasswordChange, type SessionResponse } from '../../../shared/index.js'
import { rewrapKeys, secretsSigner, wipe } from '../../accounts/index.js'
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

  /**
   * A new password: the account's keys wrapped anew (the same keys, so the person's sessions on
   * other machines go on), in an `account.keys` entry signed with them. Answers once the relay
   * has it: a new password that only waits in an outbox would leave the old one in force.
   */
  app.put(
    '/api/v1/me/password',
    { config: { rateLimit: { max: 10, timeWindow: 60_000, keyGenerator: (req) => `password|${req.ip}` } } },
    async (req, reply) => {
      const change = PasswordChange.parse(req.body)
      const { body, secrets, keys } = await rewrapKeys(ctx.store, req.who.session.username, change)
      try {
        await ctx.outbox.submit(body, { durable: false, timeoutMs: ctx.submitTimeoutMs, signer: secretsSigner(secrets, keys) })
      } finally {
        wipe(secrets)
      }
      ctx.log.info({ username: body.username }, 'password changed: keys wrapped anew')
      return reply.code(204).send()
    },
  )

  app.delete('/api/v1/sessions/current', async (req, reply) => {
    await ctx.accounts.sessions.revoke(req.who.via, req.who.token)
    ctx.auth.clearCookie(reply)
    return reply.code(204).send()
  })
}
