/**
 * Threads and pins: a thread's replies (paged back), a room's pinned messages, and pinning.
 * Replies themselves are posted like any message (POST …/messages with `thread`); every read
 * goes through an opener, so sealed text is opened only for the person asking.
 */
import type { FastifyInstance } from 'fastify'
import * as z from 'zod'
import {
  EntryId,
  RoomId,
  SetPin,
  ThreadQuery,
  type MessageResponse,
  type PinsResponse,
  type ThreadResponse,
} from '../../../shared/index.js'
import { InputError } from '../../errors/index.js'
import type { HttpContext } from '../context.js'
import { withOpener } from '../message-opener.js'
import { readableRoom, submitNow } from '../room-access.js'

const Target = z.object({ room: RoomId, id: EntryId })

export function threadRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const views = ctx.store.views
  const target = async (req: { params: unknown }, username: string) => {
    const t = Target.safeParse(req.params)
    if (!t.success) throw new InputError('bad_request', 'The address names no room and message id; see docs/API.md.')
    await readableRoom(ctx, t.data.room, username)
    const message = await views.q.message(t.data.room, t.data.id)
    if (!message) throw new InputError('unknown_message', 'That message is not in this room (or does not exist); reload the room.')
    return message
  }

  /** The thread of a message: the root and its newest replies (a reply's id opens its root's thread). */
  app.get('/api/v1/rooms/:room/messages/:id/thread', async (req): Promise<ThreadResponse> => {
    const me = req.who.session.username
    const asked = await target(req, me)
    const root = asked.thread ? await views.q.message(asked.room, asked.thread) : asked
    if (!root) throw new InputError('unknown_message', "That reply's thread is gone; reload the room.")
    const q = ThreadQuery.parse(req.query)
    const replies = await views.threadReplies(root.room, root.seq, q.limit + 1, q.before)
    const hasOlder = replies.length > q.limit
    if (hasOlder) replies.shift()
    return withOpener(views.q, req.who, ctx.log, async (o) => ({ root: await o.open(root), replies: await o.openAll(replies), hasOlder }))
  })

  app.get('/api/v1/rooms/:room/pins', async (req): Promise<PinsResponse> => {
    const me = req.who.session.username
    const room = await readableRoom(ctx, RoomId.safeParse((req.params as { room?: unknown }).room).data ?? '', me)
    const pins = await views.pinned(room.id)
    return { pins: await withOpener(views.q, req.who, ctx.log, (o) => o.openAll(pins)) }
  })

  /** Pins or unpins for everyone in the room; the same state again writes nothing to the log. */
  app.put('/api/v1/rooms/:room/messages/:id/pin', async (req): Promise<MessageResponse> => {
    const me = req.who.session.username
    const message = await target(req, me)
    const want = SetPin.safeParse(req.body)
    if (!want.success) throw new InputError('bad_request', 'Send {"on": true} to pin or {"on": false} to unpin.')
    if (want.data.on !== Boolean(message.pinned))
      await submitNow(ctx, req.who, { type: 'pin.set', room: message.room, target: message.id, by: me, on: want.data.on })
    const now = (await views.q.message(message.room, message.id)) ?? message
    return { message: await withOpener(views.q, req.who, ctx.log, (o) => o.open(now)) }
  })
}
