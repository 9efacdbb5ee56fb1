/** Edit, delete and react: changes to a message already in the log, through the relay. */
import type { FastifyInstance } from 'fastify'
import * as z from 'zod'
import { EditMessage, EntryId, React, Reaction, RoomId, type MessageResponse, type SealedFileRef } from '../../../shared/index.js'
import { ConflictError, InputError } from '../../errors/index.js'
import type { Authenticated } from '../auth.js'
import type { HttpContext } from '../context.js'
import { withOpener } from '../message-opener.js'
import { readableRoom, submitNow } from '../room-access.js'
import { sealText } from '../room-sealer.js'
import { messageText } from './messages.js'

const Target = z.object({ room: RoomId, id: EntryId })

export function messageChangeRoutes(app: FastifyInstance, ctx: HttpContext): void {
  /** The message as it is now, after the change landed in this machine's replica. */
  const answer = async (room: string, id: string, who: Authenticated): Promise<MessageResponse> => {
    const message = await ctx.store.views.q.message(room, id)
    if (!message) throw new InputError('unknown_message', 'That message is gone (the log was rewound); reload the room.')
    return { message: await withOpener(ctx.store.views.q, who, ctx.log, (o) => o.open(message)) }
  }
  /** The sealed files of a message being edited, opened for its author; refused when they cannot be. */
  const sealedFilesOf = async (room: string, id: string, who: Authenticated): Promise<SealedFileRef[]> => {
    const message = await ctx.store.views.q.message(room, id)
    if (!message?.sealed || !message.blobs?.length) return []
    const content = await withOpener(ctx.store.views.q, who, ctx.log, (o) => o.content(message))
    if (typeof content === 'string')
      throw new ConflictError(
        'room_key_invalid',
        'This message cannot be opened here, so its files could not be kept in an edit. Log in again.',
      )
    return content.files ?? []
  }
  const target = async (req: { params: unknown }, username: string) => {
    const t = Target.parse(req.params)
    await readableRoom(ctx, t.room, username)
    return t
  }

  app.put('/api/v1/rooms/:room/messages/:id', async (req): Promise<MessageResponse> => {
    const me = req.who.session.username
    const { room, id } = await target(req, me)
    const text = messageText(EditMessage.parse(req.body).text)
    // In an encrypted room the new text is sealed like a new message (room-sealer.ts), with the
    // message's files and their keys carried over: the edit's sealed content replaces the old.
    const files = await sealedFilesOf(room, id, req.who)
    const sealed = await sealText(ctx, req.who, room, text, async () => files)
    const content = sealed ? { text: '', sealed } : { text }
    await submitNow(ctx, req.who, { type: 'message.edited', room, target: id, author: me, ...content })
    return answer(room, id, req.who)
  })

  app.delete('/api/v1/rooms/:room/messages/:id', async (req): Promise<MessageResponse> => {
    const me = req.who.session.username
    const { room, id } = await target(req, me)
    await submitNow(ctx, req.who, { type: 'message.deleted', room, target: id, author: me })
    return answer(room, id, req.who)
  })

  app.put('/api/v1/rooms/:room/messages/:id/reaction', async (req): Promise<MessageResponse> => {
    const me = req.who.session.username
    const { room, id } = await target(req, me)
    const want = React.parse(req.body)
    const emoji = Reaction.safeParse(want.emoji)
    if (!emoji.success) throw new InputError('invalid_reaction', 'A reaction is one emoji, such as 👍.')
    await submitNow(ctx, req.who, { type: 'reaction.set', room, target: id, author: me, emoji: emoji.data, on: want.on })
    return answer(room, id, req.who)
  })
}
