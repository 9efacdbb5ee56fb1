import type { FastifyInstance } from 'fastify'
import type { HttpContext } from '../context.js'

/** Public: no secrets in it, and `sochat status` needs it without logging in. */
export function statusRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/status', async () => ctx.status())
}
