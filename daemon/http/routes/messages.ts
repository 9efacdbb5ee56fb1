import type { FastifyInstance } from 'fastify'
import { GENERAL_ROOM, MAX_MESSAGE_BYTES, MarkRead, MessagesQuery, PostMessage, utf8Length, type MessagesResponse, type OutboxResponse, type PostMessageResponse, type ReadPosition } from '../../../shared/index.js'
import { InputError } from '../../errors/index.js'
import type { HttpContext } from '../context.js'

function room(params: unknown): string {
  const name = (params as { room: string }).room
  if (name !== GENERAL_ROOM) throw new InputError('unknown_room', `There is no room "${name.slice(0, 64)}"; only "${GENERAL_ROOM}" exists for now.`)
  return name
}

export function messageRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/rooms/:room/messages', async (req): Promise<MessagesResponse> => {
    await ctx.auth.require(req)
    const q = MessagesQuery.parse(req.query)
    return { messages: await ctx.store.views.messages(room(req.params), q.limit, q.before) }
  })

  app.get('/api/v1/rooms/:room/read', async (req): Promise<ReadPosition> => {
    const who = await ctx.auth.require(req)
    return ctx.store.views.readPosition(who.session.username, room(req.params))
  })

  /**
   * Moves this person's read position forward (never back). Queued in the outbox like a
   * message, so a mark made while no relay is reachable still arrives; answered at once.
   */
  app.put('/api/v1/rooms/:room/read', async (req, reply) => {
    const who = await ctx.auth.require(req)
    room(req.params)
    const { seq } = MarkRead.parse(req.body)
    if (seq > ctx.store.log.head) {
      throw new InputError('bad_request', `Message ${seq} does not exist yet (the log ends at ${ctx.store.log.head}).`)
    }
    const current = await ctx.store.views.readPosition(who.session.username, GENERAL_ROOM)
    if (seq > current.seq) {
      void ctx.outbox.submit({ type: 'read.marked', room: GENERAL_ROOM, username: who.session.username, seq }, { durable: true, timeoutMs: 1 })
        .catch((err) => ctx.log.warn({ err }, 'queueing a read mark failed'))
    }
    return reply.code(204).send()
  })

  /** This user's messages that wait in this machine's outbox, oldest first. */
  app.get('/api/v1/outbox', async (req): Promise<OutboxResponse> => {
    const who = await ctx.auth.require(req)
    const pending = []
    for (const s of await ctx.outbox.pending()) {
      if (s.body.type !== 'message.posted' || s.body.author !== who.session.username) continue
      pending.push({ id: s.id, room: s.body.room, author: s.body.author, text: s.body.text, ts: s.ts })
    }
    return { pending }
  })

  /**
   * 201 when the relay has written it; 202 when it waits in this machine's outbox (no relay
   * right now) and will be delivered later.
   */
  app.post('/api/v1/rooms/:room/messages', async (req, reply) => {
    const who = await ctx.auth.require(req)
    const name = room(req.params)
    const { text } = PostMessage.parse(req.body)
    if (text.trim().length === 0) throw new InputError('empty_message', 'The message is empty.')
    if (utf8Length(text) > MAX_MESSAGE_BYTES) {
      throw new InputError('message_too_large', `The message is over ${MAX_MESSAGE_BYTES / 1024} KiB; shorten it or send it as a file.`)
    }
    const result = await ctx.outbox.submit(
      { type: 'message.posted', room: GENERAL_ROOM, author: who.session.username, text },
      { durable: true, timeoutMs: ctx.submitTimeoutMs },
    )
    if (result.state === 'sent') {
      const e = result.entry
      const sent: PostMessageResponse = { state: 'sent', message: { id: e.id, seq: e.seq, room: name, author: who.session.username, text, ts: e.ts } }
      return reply.code(201).send(sent)
    }
    const s = result.submission
    const pending: PostMessageResponse = { state: 'pending', message: { id: s.id, room: name, author: who.session.username, text, ts: s.ts } }
    return reply.code(202).send(pending)
  })
}
