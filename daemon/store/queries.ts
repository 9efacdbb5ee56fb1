/**
 * Reads of the views. `ViewQueries`: point lookups over any source of keys, the database
 * itself (routes, desktop) or a transaction's overlay (the relay validating a batch, entries
 * applying in order). `ViewReads`: range reads over the database (history, read positions,
 * room lists, members). Nothing here writes.
 */
import { GENERAL_ROOM, mentionedNames, type PersonProfile, type Message, type NotifyLevel } from '../../shared/index.js'
import { memberKey, messageKey, noticeKey, notifyKey, roomKeyKey, seqKey, userKey } from './keys.js'
import { databaseLookup, messagesAt, messagesByIds, readJsonPage, readPage, walk } from './pages.js'
import type { Account, KeyNotice, Lookup, Member, ReadState, Room, RoomKeyRecord, Sub, ViewSubs } from './types.js'

/** Unread messages are counted up to this many. */
export const UNREAD_COUNT_MAX = 1000
/** Rows read per native call while counting them. */
const UNREAD_WALK_BATCH = 250

/** general exists before anyone writes to it: every account is in it. */
export function generalRoom(): Room {
  return { id: GENERAL_ROOM, kind: 'public', name: GENERAL_ROOM, topic: '', creator: '', createdSeq: 0, memberCount: 0 }
}

export class ViewQueries {
  constructor(private readonly get: Lookup) {}

  account(username: string): Promise<Account | undefined> {
    return this.get<Account>('users', userKey(username))
  }

  async room(id: string): Promise<Room | undefined> {
    return (await this.get<Room>('rooms', id)) ?? (id === GENERAL_ROOM ? generalRoom() : undefined)
  }

  roomIdByName(name: string): Promise<string | undefined> {
    return this.get<string>('roomNames', name)
  }

  async isMember(room: string, username: string): Promise<boolean> {
    if (room === GENERAL_ROOM) return (await this.account(username)) !== undefined
    return (await this.get('members', memberKey(room, username))) !== undefined
  }

  /**
   * Where a person's reading of a room starts before they mark anything read: when they
   * joined it (for general, when the account was made). Old history is not "unread".
   */
  async readBaseline(room: string, username: string): Promise<number> {
    if (room === GENERAL_ROOM) return (await this.account(username))?.createdSeq ?? 0
    return (await this.get<Member>('members', memberKey(room, username)))?.since ?? 0
  }

  /** Public rooms are open to anyone to read; private and direct ones only to members. */
  async canRead(room: Room, username: string): Promise<boolean> {
    return room.kind === 'public' || this.isMember(room.id, username)
  }

  /** The key notice an entry made in a room, if any (notices.ts). */
  notice(room: string, seq: number): Promise<KeyNotice | undefined> {
    return this.get<KeyNotice>('notices', noticeKey(room, seq))
  }

  /** What a room's new messages notify a person of: their newest `notify.set`, or 'all'. */
  async notifyLevel(username: string, room: string): Promise<NotifyLevel> {
    return (await this.get<NotifyLevel>('notify', notifyKey(username, room))) ?? 'all'
  }

  /** A room's key of one epoch, sealed to whoever was a member then. */
  roomKey(room: string, epoch: number): Promise<RoomKeyRecord | undefined> {
    return this.get<RoomKeyRecord>('roomKeys', roomKeyKey(room, epoch))
  }

  /** How many messages of a room are pinned (the rule book's limit). */
  async pinCount(room: string): Promise<number> {
    return (await this.room(room))?.pins ?? 0
  }

  /** A message of `room` by its entry id (undefined if that id is not a message of that room). */
  async message(room: string, id: string): Promise<Message | undefined> {
    const seq = await this.get<number>('ids', id)
    return seq === undefined ? undefined : this.get<Message>('msgs', messageKey(room, seq))
  }
}

/** A thread reply that is not sent to the room too: in its thread only. */
export function isThreadOnly(m: Message): boolean {
  return m.thread !== undefined && !m.alsoInRoom
}

/** What a room's timeline shows: every message but thread-only replies. */
const inTimeline = (m: Message): boolean => !isThreadOnly(m)

/**
 * The same, on a message's stored JSON: only one that has a `thread` is decoded to decide.
 * In JSON text `"thread":` is a key wherever it occurs (inside a string its quotes would be
 * escaped), so a text that merely mentions the word costs a decoding, never a wrong answer.
 */
const jsonInTimeline = (json: string): boolean => !json.includes('"thread":') || inTimeline(JSON.parse(json) as Message)

/** Range reads over the database, with its point lookups in `q`. */
export class ViewReads {
  readonly q: ViewQueries

  constructor(readonly subs: ViewSubs) {
    this.q = new ViewQueries(databaseLookup(subs))
  }

  account(username: string): Promise<Account | undefined> {
    return this.q.account(username)
  }

  /** Account names in key order (lower-cased name), at most `limit`: the people directory. */
  async usernames(limit: number): Promise<string[]> {
    const out: string[] = []
    for await (const value of this.subs.users.values({ limit })) out.push((value as Account).username)
    return out
  }

  /**
   * How far a person has read a room (their highest read mark, or where they joined it), and
   * how many messages by others follow it, counted up to UNREAD_COUNT_MAX (the cost of
   * counting grows with what is counted, and nobody needs to know there are 4,318 rather
   * than "1000+"). `open` opens sealed messages for the person (daemon/http/message-opener.ts);
   * without it their mentions are not counted.
   */
  async readPosition(username: string, room: string, open?: (m: Message) => Promise<Message>): Promise<ReadState> {
    const prefix = `${username.toLowerCase()}!${room}!`
    let seq = await this.q.readBaseline(room, username)
    for await (const key of this.subs.reads.keys({ gt: prefix, lt: `${prefix}~`, reverse: true, limit: 1 }))
      seq = Math.max(seq, Number(key.slice(prefix.length)))
    let unread = 0
    let mentions = 0
    const me = username.toLowerCase()
    // In batches: up to UNREAD_COUNT_MAX rows are looked at, a promise each would cost more than the rows.
    await walk(this.subs.msgs, { gt: messageKey(room, seq), lt: `${room}"` }, UNREAD_WALK_BATCH, async (value) => {
      const m = value as Message
      if (m.author.toLowerCase() === me || m.deleted) return true
      // A sealed message's mentions are in its text: counted only by whoever can open it.
      const text = m.sealed ? (open ? (await open(m)).text : '') : m.text
      const named = text.includes('@') && mentionedNames(text).some((n) => n.toLowerCase() === me)
      // A thread reply kept out of the timeline is unread only for the people in its thread.
      if (!named && isThreadOnly(m) && !(await this.inThread(room, m.thread!, me))) return true
      if (named) mentions++
      return ++unread < UNREAD_COUNT_MAX
    })
    return { seq, unread, mentions }
  }

  /** Whether a person is in a thread: its root's author or someone who replied. */
  async inThread(room: string, rootId: string, username: string): Promise<boolean> {
    const root = await this.q.message(room, rootId)
    const me = username.toLowerCase()
    return Boolean(root?.replies?.people.some((p) => p.toLowerCase() === me))
  }

  /**
   * The newest `limit` messages of a room's timeline with seq < before, oldest first. Thread
   * replies are not in it (unless sent to the room too): the thread pane reads them.
   */
  async messages(room: string, limit: number, before?: number): Promise<Message[]> {
    const lt = before === undefined ? `${room}"` : messageKey(room, before) // '"' sorts right after '!'
    const page = await readPage(this.subs.msgs as Sub<Message>, { gt: `${room}!`, lt, reverse: true }, limit, inTimeline)
    return page.reverse()
  }

  /**
   * The page of `messages`, each message the JSON text the store holds, not decoded: a page
   * answered from that text (daemon/http/routes/messages.ts) does not decode fifty messages
   * to encode them again, the larger part of what a page allocated (issue 18).
   */
  async messagesJson(room: string, limit: number, before?: number): Promise<string[]> {
    const lt = before === undefined ? `${room}"` : messageKey(room, before)
    const page = await readJsonPage(this.subs.msgs, { gt: `${room}!`, lt, reverse: true }, limit, jsonInTimeline)
    return page.reverse()
  }

  /** A thread's newest `limit` replies with seq < before, oldest first. */
  async threadReplies(room: string, rootSeq: number, limit: number, before?: number): Promise<Message[]> {
    const prefix = `${room}!${seqKey(rootSeq)}!`
    const lt = before === undefined ? `${prefix}~` : `${prefix}${seqKey(before)}`
    const seqs = await this.subs.threads.values({ gt: prefix, lt, reverse: true, limit }).all()
    return (await messagesAt(this.subs.msgs, room, seqs as number[])).reverse()
  }

  /** Messages by entry id, each in the room given (undefined: no such message there), in two batched reads. */
  messagesByIds(refs: { room: string; id: string }[]): Promise<(Message | undefined)[]> {
    return messagesByIds(this.subs.ids, this.subs.msgs, refs)
  }

  /** A room's pinned messages, oldest message first. */
  async pinned(room: string): Promise<Message[]> {
    const seqs = await this.subs.pins.values({ gt: `${room}!`, lt: `${room}"` }).all()
    return (await messagesAt(this.subs.msgs, room, seqs as number[])).filter((m) => m.pinned)
  }

  /**
   * The oldest `limit` messages of a room with seq > after, oldest first: the forward read
   * behind paging down from a message opened far back in history (GET …/messages?after=, ?around=).
   */
  async messagesAfter(room: string, limit: number, after: number): Promise<Message[]> {
    return readPage(this.subs.msgs as Sub<Message>, { gt: messageKey(room, after), lt: `${room}"` }, limit, inTimeline)
  }

  /** A room's key notices with after < seq < before (no `before`: to the newest), oldest first. */
  async notices(room: string, after: number, before?: number): Promise<KeyNotice[]> {
    const lt = before === undefined ? `${room}"` : noticeKey(room, before)
    // One range read: a page's notices are few (each a change of someone's keys).
    return (await this.subs.notices.values({ gt: noticeKey(room, after), lt }).all()) as KeyNotice[]
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

  /**
   * Every message's files (and a sealed message's sealed blobs), one message at a time (the
   * whole view: what the file sweep keeps, daemon/files/sweep.ts, a few times a day). Deleted
   * messages have none.
   */
  async *messageFiles(): AsyncIterable<Pick<Message, 'files' | 'blobs'>> {
    for await (const m of this.subs.msgs.values()) if ((m as Message).files?.length || (m as Message).blobs?.length) yield m as Message
  }

  /** Everyone with a profile picture: username → its SHA-256. */
  async avatars(): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for await (const a of this.subs.users.values()) if ((a as Account).avatar) out[(a as Account).username] = (a as Account).avatar!
    return out
  }

  /** Everyone who set a display name or status: username → what they set. */
  async profiles(): Promise<Record<string, PersonProfile>> {
    const out: Record<string, PersonProfile> = {}
    for await (const a of this.subs.users.values()) {
      const profile = profileOf(a as Account)
      if (profile) out[(a as Account).username] = profile
    }
    return out
  }

  /** Accounts in key order, at most `limit`, each with what they set: the people directory. */
  async people(limit: number): Promise<Array<{ username: string } & PersonProfile>> {
    const out: Array<{ username: string } & PersonProfile> = []
    for await (const value of this.subs.users.values({ limit }))
      out.push({ username: (value as Account).username, ...profileOf(value as Account) })
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

/** What an account set of its profile, or undefined when nothing. */
export function profileOf(a: Account): PersonProfile | undefined {
  if (!a.displayName && !a.status && !a.statusEmoji) return undefined
  return {
    ...(a.displayName ? { displayName: a.displayName } : {}),
    ...(a.status ? { status: a.status } : {}),
    ...(a.statusEmoji ? { statusEmoji: a.statusEmoji } : {}),
  }
}
