import type { FastifyInstance } from 'fastify'
import type WebSocket from 'ws'
import { PageFrame } from '../../../shared/index.js'
import type { HttpContext } from '../context.js'

/** A page's "typing" is passed on when it changes, or again after this long at most... */
const TYPING_REPEAT_MS = 2000
/** ...and never more often than this per second, whatever the page sends. */
const TYPING_PER_SECOND = 4

/**
 * Live events for an open page; the socket also marks its user online. The page sends three
 * kinds of frame back: whether it is being looked at (visible and focused), whether its person
 * is typing, and whether they set themselves away.
 *
 * With the cookie, the socket must also prove the session's CSRF token, or any program on
 * another local port holding the cookie could listen in. A browser cannot set headers on a
 * WebSocket, so the proof is the subprotocol `sochat.csrf.<token>`, offered with `sochat`,
 * which the server chooses (index.ts), so the token never comes back in a response. Chosen
 * over a first frame: it is decided with the session lookup, before the socket counts anyone
 * online or sees any event, and needs no timer for a socket that never says anything.
 * Without it the socket closes with 4401, like one without a session.
 */
export function eventRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/events', { websocket: true }, (socket, req) => {
    // The handler is attached before the session lookup: a page sends its first frames as
    // soon as the socket opens, and ws drops frames nobody listens for. Until the lookup
    // answers, the latest attention and away are kept and applied after it.
    let username: string | null = null
    let watching: boolean | null = null
    let away: boolean | null = null
    const typing = { room: '', on: false, at: 0, second: 0, count: 0 }
    socket.on('message', (raw, isBinary) => {
      const frame = parse(socket, raw.toString(), isBinary)
      if (!frame) return
      if (frame.type === 'attention') watching = frame.watching
      if (frame.type === 'away') away = frame.on
      if (!username) return
      if (frame.type === 'attention') ctx.pages.setWatching(username, socket, frame.watching)
      if (frame.type === 'away') ctx.pages.setAwayByHand(username, frame.on)
      if (frame.type === 'typing' && passTyping(typing, frame.room, frame.on)) ctx.typing(username, frame.room, frame.on)
    })
    // With the cookie, only a socket that proves the CSRF token (auth.ts) is the page's.
    ctx.auth.identifyUpgrade(req).then(
      (who) => {
        if (!who) return socket.close(4401, 'unauthenticated')
        // Closed while we looked: registering it now would leave its user online for good.
        if (socket.readyState !== socket.OPEN) return
        username = who.session.username
        ctx.pages.add(username, socket, who)
        if (watching !== null) ctx.pages.setWatching(username, socket, watching)
        if (away !== null) ctx.pages.setAwayByHand(username, away)
        socket.send(JSON.stringify({ type: 'status', status: ctx.status() }))
      },
      (err: unknown) => {
        ctx.log.error({ err }, 'looking up the session of a page socket failed')
        socket.close(1011, 'internal error')
      },
    )
  })
}

function passTyping(state: { room: string; on: boolean; at: number; second: number; count: number }, room: string, on: boolean): boolean {
  const now = Date.now()
  if (on === state.on && room === state.room && now - state.at < TYPING_REPEAT_MS) return false
  const second = Math.floor(now / 1000)
  if (second !== state.second) Object.assign(state, { second, count: 0 })
  if (++state.count > TYPING_PER_SECOND) return false
  Object.assign(state, { room, on, at: now })
  return true
}

function parse(socket: WebSocket, raw: string, isBinary: boolean): PageFrame | null {
  try {
    return PageFrame.parse(JSON.parse(isBinary ? '' : raw))
  } catch {
    // A close reason is at most 123 bytes (RFC 6455); the frames are in docs/API.md.
    socket.close(4400, 'expected an attention, typing or away frame (docs/API.md)')
    return null
  }
}
