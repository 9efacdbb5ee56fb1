import type { FastifyInstance } from 'fastify'
import { PageFrame } from '../../../shared/index.js'
import type { HttpContext } from '../context.js'

/**
 * Live events for an open page; the socket also marks its user online. The page sends two
 * kinds of frame back: whether it is being looked at (visible and focused), and whether its
 * person is typing.
 */
export function eventRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/events', { websocket: true }, (socket, req) => {
    // The handler is attached before the session lookup: a page sends its first attention
    // frame as soon as the socket opens, and ws drops frames nobody listens for.
    let username: string | null = null
    let watching: boolean | null = null
    socket.on('message', (raw, isBinary) => {
      let frame: PageFrame
      try {
        frame = PageFrame.parse(JSON.parse(isBinary ? '' : raw.toString()))
      } catch {
        socket.close(4400, 'expected {"type":"attention","watching":boolean}, {"type":"typing","on":boolean} or {"type":"away","on":boolean}')
        return
      }
      if (frame.type === 'typing') {
        if (username) ctx.typing(username, frame.on)
        return
      }
      if (frame.type === 'away') {
        if (username) ctx.pages.setAwayByHand(username, frame.on)
        return
      }
      watching = frame.watching
      if (username) ctx.pages.setWatching(username, socket, watching)
    })
    ctx.auth.identify(req).then((who) => {
      if (!who) return socket.close(4401, 'unauthenticated')
      username = who.session.username
      ctx.pages.add(username, socket)
      if (watching !== null) ctx.pages.setWatching(username, socket, watching)
      socket.send(JSON.stringify({ type: 'status', status: ctx.status() }))
    }, (err: unknown) => {
      ctx.log.error({ err }, 'looking up the session of a page socket failed')
      socket.close(1011, 'internal error')
    })
  })
}
