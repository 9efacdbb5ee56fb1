/**
 * Views derived from the log: accounts, rooms and their members, each room's messages (as
 * edited, deleted and reacted to) and read positions. `apply` turns entries into a batch of
 * changes through a ViewTx (daemon/store/tx.ts), which records what each entry overwrote;
 * `revertOps` undoes an entry from that record. Reads are range queries here and point
 * lookups in `q` (daemon/store/queries.ts).
 */
import { GENERAL_ROOM, mentionedNames, type Entry, type Message } from '../../shared/index.js'
import type { Sub } from './log.js'
import { StoreError } from '../errors/index.js'
import { messageKey, seqKey } from './keys.js'
import { applyEntry } from './apply.js'
import { ViewQueries, type Account, type Member, type Room, type ViewName } from './queries.js'
import { undoOps, ViewTx, type UndoStep } from './tx.js'

export type { Account, Room, ViewName } from './queries.js'
export type ViewSubs = Record<ViewName, Sub<unknown>>

/** Unread messages are counted up to this many. */
export const UNREAD_COUNT_MAX = 1000

/** A batch operation on one of our sublevels (typed loosely: values are JSON). */
export type Op =
  | { type: 'put'; sublevel: object; key: string; value: unknown }
  | { type: 'del'; sublevel: object; key: string }

export interface ReadState {
  /** The last message seq this person has read in the room (0: none). */
  seq: number
  /** Messages by others after it. */
  unread: number
  /** Of those, how many mention them. */
  mentions: number
}

export class Views {
  readonly q: ViewQueries

  constructor(readonly subs: ViewSubs, readonly undoRecords: Sub<UndoStep[]>) {
    this.q = new ViewQueries(async (sub, key) => (await subs[sub].get(key)) as never)
  }

  tx(): ViewTx {
    return new ViewTx(this.subs)
  }

  /**
   * Applies entries in order into `tx`, with each one's undo record. A pure entry (a new
   * message, a read mark: it only adds keys that follow from the entry) needs none, which
   * saves a write for most of the log.
   */
  async apply(entries: Entry[], tx: ViewTx): Promise<void> {
    for (const entry of entries) {
      await applyEntry(entry, tx)
      const { steps, pure } = tx.takeUndo()
      if (!pure) tx.ops.push({ type: 'put', sublevel: this.undoRecords, key: seqKey(entry.seq), value: steps })
    }
  }

  /** The ops undoing one entry: its undo record, or for a pure entry, deleting what it added. */
  async revertOps(entry: Entry): Promise<Op[]> {
    const steps = await this.undoRecords.get(seqKey(entry.seq))
    if (steps) return [...undoOps(this.subs, steps), { type: 'del', sublevel: this.undoRecords, key: seqKey(entry.seq) }]
    const dry = new ViewTx(this.subs, true)
    try {
      await applyEntry(entry, dry)
    } catch (cause) {
      throw new StoreError(`Entry ${entry.seq} has no undo record, so it cannot be taken back. Move the database aside and restart to rebuild it from the relay.`, { cause })
    }
    return undoOps(this.subs, dry.takeUndo().steps)
  }

  account(username: string): Promise<Account | undefined> {
    return this.q.account(username)
  }

  /**
   * How far a person has read a room (their highest read mark, or where they joined it), and
   * how many messages by others follow it, counted up to UNREAD_COUNT_MAX (the cost of
   * counting grows with what is counted, and nobody needs to know there are 4,318 rather
   * than "1000+").
   */
  async readPosition(username: string, room: string): Promise<ReadState> {
    const prefix = `${username.toLowerCase()}!${room}!`
    let seq = await this.q.readBaseline(room, username)
    for await (const key of this.subs.reads.keys({ gt: prefix, lt: `${prefix}~`, reverse: true, limit: 1 })) seq = Math.max(seq, Number(key.slice(prefix.length)))
    let unread = 0
    let mentions = 0
    const me = username.toLowerCase()
    for await (const value of this.subs.msgs.values({ gt: messageKey(room, seq), lt: `${room}"` })) {
      const m = value as Message
      if (m.author.toLowerCase() === me || m.deleted) continue
      if (++unread === UNREAD_COUNT_MAX) break
      if (mentionedNames(m.text).some((n) => n.toLowerCase() === me)) mentions++
    }
    return { seq, unread, mentions }
  }

  /** The newest `limit` messages of a room with seq < before, oldest first. */
  async messages(room: string, limit: number, before?: number): Promise<Message[]> {
    const lt = before === undefined ? `${room}"` : messageKey(room, before) // '"' sorts right after '!'
    const out: Message[] = []
    for await (const m of this.subs.msgs.values({ gt: `${room}!`, lt, reverse: true, limit })) out.push(m as Message)
    return out.reverse()
  }

  /** The newest message's seq in a room (0: none). Kept out of the room record, which would otherwise be rewritten for every message. */
  async lastSeq(room: string): Promise<number> {
    for await (const m of this.subs.msgs.values({ gt: `${room}!`, lt: `${room}"`, reverse: true, limit: 1 })) return (m as Message).seq
    return 0
  }

  /** The rooms a person is in: general first, then the rest by id. */
  async roomsOf(username: string): Promise<Room[]> {
    const out = [(await this.q.room(GENERAL_ROOM))!]
    const prefix = `${username.toLowerCase()}!`
    for await (const id of this.subs.memberOf.values({ gt: prefix, lt: `${prefix}~` })) {
      const room = await this.q.room(id as string)
      if (room) out.push(room)
    }
    return out
  }

  /** Every public room, by name. */
  async directory(): Promise<Room[]> {
    const out: Room[] = []
    for await (const id of this.subs.roomNames.values()) {
      const room = await this.q.room(id as string)
      if (room?.kind === 'public') out.push(room)
    }
    const general = (await this.q.room(GENERAL_ROOM))!
    return [general, ...out.filter((r) => r.id !== GENERAL_ROOM)]
  }

  /** Everyone with a profile picture: username → its SHA-256. */
  async avatars(): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for await (const a of this.subs.users.values()) if ((a as Account).avatar) out[(a as Account).username] = (a as Account).avatar!
    return out
  }

  /** Who is in a room, sorted by name; for general, every account. */
  async members(room: string): Promise<string[]> {
    const out: string[] = []
    if (room === GENERAL_ROOM) {
      for await (const a of this.subs.users.values()) out.push((a as Account).username)
    } else {
      for await (const m of this.subs.members.values({ gt: `${room}!`, lt: `${room}"` })) out.push((m as Member).username)
    }
    return out.sort((a, b) => a.localeCompare(b))
  }
}
