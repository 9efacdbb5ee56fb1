/**
 * Replies, threads and pins in the views. A thread reply is a message like any other (in
 * `msgs`, so edits, deletes and reactions find it), plus a key in `threads` under its root
 * (the thread's replies in order) and a summary on the root ("3 replies, last by bob", who is
 * in it). A pin is a flag on the message, a key in `pins` (the room's pinned list) and a count
 * on the room record (the rule book's limit, the header's count). Every change goes through
 * the transaction, so a truncated entry's undo record restores the root, the room and the pin.
 *
 * What the rule book refuses and a hostile relay ordered anyway lands harmlessly, the same on
 * every replica: a thread whose root is missing, deleted or itself a thread reply is dropped
 * (the message shows in the room); a pin by a non-member or of a deleted message changes nothing.
 */
import type { Entry, Message } from '../../shared/index.js'
import { messageKey, threadKey } from './keys.js'
import type { ViewQueries } from './queries.js'
import type { ViewTx } from './tx.js'
import type { Room } from './types.js'

type Posted = Extract<Entry['body'], { type: 'message.posted' }>
type Pin = Extract<Entry['body'], { type: 'pin.set' }>

/** The reply and thread links a new message keeps: those the rule book would have let through. */
export async function replyFields(q: ViewQueries, b: Posted): Promise<Pick<Message, 'replyTo' | 'thread' | 'alsoInRoom'>> {
  const out: Pick<Message, 'replyTo' | 'thread' | 'alsoInRoom'> = {}
  if (b.replyTo && (await q.message(b.room, b.replyTo))) out.replyTo = b.replyTo
  if (b.thread) {
    const root = await q.message(b.room, b.thread)
    if (root && !root.deleted && !root.thread) {
      out.thread = b.thread
      if (b.alsoInRoom) out.alsoInRoom = true
    }
  }
  return out
}

/** A new thread reply: its key under the root, and the root's summary brought up to date. */
export async function addToThread(q: ViewQueries, tx: ViewTx, reply: Message): Promise<void> {
  const root = reply.thread ? await q.message(reply.room, reply.thread) : undefined
  if (!root) return
  await tx.put('threads', threadKey(reply.room, root.seq, reply.seq), reply.seq, true)
  const before = root.replies ?? { count: 0, last: '', lastTs: 0, people: [root.author] }
  const known = before.people.some((p) => p.toLowerCase() === reply.author.toLowerCase())
  const replies = {
    count: before.count + 1,
    last: reply.author,
    lastTs: reply.ts,
    people: known ? before.people : [...before.people, reply.author],
  }
  await tx.put('msgs', messageKey(reply.room, root.seq), { ...root, replies })
}

/** Pins or unpins; a pin that is already so changes nothing (the local API does not send one). */
export async function applyPin(q: ViewQueries, tx: ViewTx, b: Pin, ts: number): Promise<void> {
  const message = await q.message(b.room, b.target)
  const room = await q.room(b.room)
  if (!message || !room || message.deleted || !(await q.isMember(b.room, b.by))) return
  if (b.on === Boolean(message.pinned)) return
  const { pinned: _old, ...rest } = message
  await tx.put('msgs', messageKey(b.room, message.seq), b.on ? { ...rest, pinned: { by: b.by, ts } } : rest)
  await setPinned(tx, room, message.seq, b.on)
}

/** A deleted message leaves the room's pinned list (its flag goes with the rest of it). */
export async function unpinDeleted(q: ViewQueries, tx: ViewTx, message: Message): Promise<void> {
  const room = await q.room(message.room)
  if (message.pinned && room) await setPinned(tx, room, message.seq, false)
}

async function setPinned(tx: ViewTx, room: Room, seq: number, on: boolean): Promise<void> {
  if (on) await tx.put('pins', messageKey(room.id, seq), seq)
  else await tx.del('pins', messageKey(room.id, seq))
  const pins = Math.max(0, (room.pins ?? 0) + (on ? 1 : -1))
  const { pins: _old, ...rest } = room
  await tx.put('rooms', room.id, pins > 0 ? { ...rest, pins } : rest)
}
