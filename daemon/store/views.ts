/**
 * Views derived from the log: accounts by name and each room's timeline. `opsFor` turns an
 * entry into the batch operations that apply it, `revertOpsFor` into the ones that undo it
 * (when a replica truncates entries the relay never had). Pure with respect to the database:
 * they only read it.
 */
import type { Entry, Message, PasswordHash } from '../../shared/index.js'
import type { Sub } from './log.js'
import { messageKey, readKey, userKey } from './keys.js'

export interface Account {
  username: string
  password: PasswordHash
  createdSeq: number
}

/** A batch operation on one of our sublevels (typed loosely: values are JSON). */
export type Op =
  | { type: 'put'; sublevel: object; key: string; value: unknown }
  | { type: 'del'; sublevel: object; key: string }

export class Views {
  constructor(
    readonly users: Sub<Account>,
    readonly msgs: Sub<Message>,
    readonly reads: Sub<number>,
  ) {}

  opsFor(entry: Entry): Op[] {
    const body = entry.body
    switch (body.type) {
      case 'account.created':
        return [put(this.users, userKey(body.username), {
          username: body.username, password: body.password, createdSeq: entry.seq,
        } satisfies Account)]
      case 'message.posted':
        return [put(this.msgs, messageKey(body.room, entry.seq), {
          id: entry.id, seq: entry.seq, room: body.room, author: body.author, text: body.text, ts: entry.ts,
        } satisfies Message)]
      case 'read.marked':
        return [put(this.reads, readKey(body.username, body.room, body.seq), entry.seq)]
    }
  }

  revertOpsFor(entry: Entry): Op[] {
    const body = entry.body
    switch (body.type) {
      case 'account.created':
        return [del(this.users, userKey(body.username))]
      case 'message.posted':
        return [del(this.msgs, messageKey(body.room, entry.seq))]
      case 'read.marked':
        return [del(this.reads, readKey(body.username, body.room, body.seq))]
    }
  }

  async account(username: string): Promise<Account | undefined> {
    return this.users.get(userKey(username))
  }

  /** The highest read mark of a person in a room, and how many messages by others follow it. */
  async readPosition(username: string, room: string): Promise<{ seq: number; unread: number }> {
    const prefix = `${username.toLowerCase()}!${room}!`
    let seq = 0
    for await (const key of this.reads.keys({ gt: prefix, lt: `${prefix}~`, reverse: true, limit: 1 })) seq = Number(key.slice(prefix.length))
    let unread = 0
    const me = username.toLowerCase()
    for await (const m of this.msgs.values({ gt: messageKey(room, seq), lt: `${room}"` })) if (m.author.toLowerCase() !== me) unread++
    return { seq, unread }
  }

  /** The newest `limit` messages of a room with seq < before, oldest first. */
  async messages(room: string, limit: number, before?: number): Promise<Message[]> {
    const lt = before === undefined ? `${room}"` : messageKey(room, before) // '"' sorts right after '!'
    const out: Message[] = []
    for await (const m of this.msgs.values({ gt: `${room}!`, lt, reverse: true, limit })) out.push(m)
    return out.reverse()
  }
}

export function put<V>(sublevel: Sub<V>, key: string, value: V): Op {
  return { type: 'put', sublevel, key, value }
}

export function del<V>(sublevel: Sub<V>, key: string): Op {
  return { type: 'del', sublevel, key }
}
