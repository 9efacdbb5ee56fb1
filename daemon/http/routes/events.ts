import type { FastifyInstance } from 'fastify'
import type { HttpContext } from '../context.js'

/** Live events for an open page; the socket also marks its user online. */
export function eventRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/events', { websocket: true }, async (socket, req) => {
    const who = await ctx.auth.identify(req)
    if (!who) {
      socket.close(4401, 'unauthenticated')
      return
    }
    // Messages from the page are not part of this API: the page posts over REST.
    socket.on('message', () => socket.close(4400, 'this socket only sends'))
    ctx.pages.add(who.session.username, socket)
    socket.send(JSON.stringify({ type: 'status', status: ctx.status() }))
  })
}
