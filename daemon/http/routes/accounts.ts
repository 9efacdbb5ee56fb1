import type { FastifyInstance } from 'fastify'
import { Credentials } from '../../../shared/index.js'
import { secretsSigner, wipe } from '../../accounts/index.js'
import type { HttpContext } from '../context.js'

export function accountRoutes(app: FastifyInstance, ctx: HttpContext): void {
  /** Sign up: the relay decides whether the name is free, so this needs a reachable relay. */
  app.post('/api/v1/accounts', async (req, reply) => {
    const creds = Credentials.parse(req.body)
    const { body, secrets, keys } = await ctx.accounts.newAccountEntry(creds)
    try {
      // Signed with its own new key: whoever publishes keys holds them.
      await ctx.outbox.submit(body, { durable: false, timeoutMs: ctx.submitTimeoutMs, signer: secretsSigner(secrets, keys) })
    } finally {
      wipe(secrets)
    }
    ctx.log.info({ username: body.username }, 'account created')
    return reply.code(201).send({ username: body.username })
  })
}
