/**
 * What a reply names, checked before anything is queued so the person hears at once and in
 * words (the rule book, daemon/rooms/rules.ts, checks again at the relay), and the quote a
 * reply shows of the message it answers, made for the person asking: a sealed original is
 * quoted only when they can open it.
 */
import type { Message, PostMessage, ReplyQuote } from '../../shared/index.js'
import { REPLY_QUOTE_MAX } from '../../shared/index.js'
import type * as z from 'zod'
import { InputError, SochatError } from '../errors/index.js'
import type { ViewQueries } from '../store/index.js'

export type ReplyLinks = Pick<Message, 'replyTo' | 'thread' | 'alsoInRoom'>

/**
 * The links a new message carries. A reply in a thread whose target is itself a thread reply
 * goes to that thread's root: threads are one level deep, as in Slack.
 */
export async function replyLinks(q: ViewQueries, room: string, body: z.infer<typeof PostMessage>): Promise<ReplyLinks> {
  const out: ReplyLinks = {}
  if (body.replyTo) out.replyTo = (await target(q, room, body.replyTo)).id
  if (body.thread) {
    const root = await target(q, room, body.thread)
    out.thread = root.thread ?? root.id
    if (body.alsoInRoom) out.alsoInRoom = true
  } else if (body.alsoInRoom)
    throw new InputError('invalid_thread', '"Also send to room" goes with a thread reply only: send {"thread": ID}.')
  return out
}

async function target(q: ViewQueries, room: string, id: string): Promise<Message> {
  const m = await q.message(room, id)
  if (!m)
    throw new SochatError(
      'unknown_reply_target',
      'The message you reply to is not in this room (or does not exist). Reply from the room the message is in.',
    )
  if (m.deleted) throw new SochatError('message_deleted', 'The message you reply to was deleted; send a new message instead.')
  return m
}

/** The first line of a text, cut at REPLY_QUOTE_MAX characters (plain text: the page renders it as text). */
export function firstLine(text: string): string {
  const line = text.trimStart().split('\n', 1)[0] ?? ''
  const chars = [...line]
  return chars.length > REPLY_QUOTE_MAX ? `${chars.slice(0, REPLY_QUOTE_MAX - 1).join('')}…` : line
}

/** The quote of `id` for a reader; `open` opens a sealed original for them (or says why not). */
export async function quoteOf(q: ViewQueries, room: string, id: string, open: (m: Message) => Promise<Message>): Promise<ReplyQuote> {
  const original = await q.message(room, id)
  if (!original) return { id, state: 'unavailable' }
  if (original.deleted) return { id, state: 'deleted', seq: original.seq }
  const opened = await open(original)
  if (opened.unreadable) return { id, state: 'unavailable' }
  const text = opened.text.trim() === '' && opened.files?.length ? `📎 ${opened.files[0]!.name}` : firstLine(opened.text)
  return { id, state: 'shown', author: original.author, text, seq: original.seq }
}
