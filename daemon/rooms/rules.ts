/**
 * What an entry must satisfy against the current state to go into the log. The relay asks
 * before ordering a submission (through its batch overlay, so earlier submissions of the same
 * batch count); the local API asks first too, to answer a person at once and in words. One
 * rule book for both, so the page's refusals and the relay's cannot disagree.
 */
import {
  DIRECT_MAX_MEMBERS,
  GENERAL_ROOM,
  MAX_CLOCK_AHEAD_MS,
  MAX_PINS_PER_ROOM,
  nameItPassesFor,
  type EntryBody,
  type ErrorCode,
} from '../../shared/index.js'
import type { Room, ViewQueries } from '../store/index.js'
import { directRoomId } from './direct.js'
import { contentFits, filesFit, mayJoinEncrypted, roomKeyMade } from './keys.js'
import type { Verdict } from './verdict.js'

export type { Verdict } from './verdict.js'

const OK: Verdict = { ok: true }
const no = (code: ErrorCode, message: string): Verdict => ({ ok: false, code, message })

type Body<T extends EntryBody['type']> = Extract<EntryBody, { type: T }>

/**
 * `head` is the log's newest seq as the entry would find it: the relay's batch counts the
 * entries it accepted before this one, so a mark may name a message ordered in the same batch.
 */
export async function check(body: EntryBody, q: ViewQueries, head: number): Promise<Verdict> {
  switch (body.type) {
    case 'account.created':
      return (await q.account(body.username)) ? no('username_taken', `The username "${body.username}" is taken. Choose another.`) : OK
    case 'read.marked':
      // A position past the head would count every future message as read, on every machine.
      if (body.seq > head) return no('bad_request', `Message ${body.seq} does not exist yet (the log ends at ${head}).`)
      return accountExists(q, body.username)
    case 'account.avatar':
      return accountExists(q, body.username)
    case 'profile.set': {
      const known = await accountExists(q, body.username)
      if (!known.ok) return known
      // Never another account's username as a display name (shared/profile.ts says why).
      const other = await q.account(nameItPassesFor(body.displayName))
      if (other && other.username.toLowerCase() !== body.username.toLowerCase())
        return no(
          'display_name_is_username',
          `"${body.displayName}" is ${other.username}'s username; choose a display name that is not someone else's username.`,
        )
      return OK
    }
    case 'notify.set': {
      // Only a member chooses what a room tells them (a room one may not read tells nothing).
      const known = await accountExists(q, body.username)
      return known.ok ? mayPost(q, body.room, body.username) : known
    }
    case 'account.keys':
      return accountKeys(q, body)
    case 'message.posted': {
      if (body.text.trim().length === 0 && !body.files?.length && !body.sealed) return no('empty_message', 'The message is empty.')
      const author = await accountExists(q, body.author)
      if (!author.ok) return author
      const may = await mayPost(q, body.room, body.author)
      if (!may.ok) return may
      const links = await replyLinks(q, body)
      if (!links.ok) return links
      const room = (await q.room(body.room))!
      const files = filesFit(room, body)
      return files.ok ? contentFits(room, body.text, body.sealed) : files
    }
    case 'message.edited': {
      if (!body.sealed && body.text.trim().length === 0) return no('empty_message', 'The message is empty.')
      const own = await ownMessage(q, body)
      return own.ok ? contentFits((await q.room(body.room))!, body.text, body.sealed) : own
    }
    case 'message.deleted':
      return ownMessage(q, body)
    case 'reaction.set':
      return reaction(q, body)
    case 'pin.set':
      return pin(q, body)
    case 'room.created':
      return roomCreated(q, body)
    case 'room.updated':
      return roomUpdated(q, body)
    case 'room.joined':
      return roomJoined(q, body)
    case 'room.left':
      return roomLeft(q, body)
    case 'room.key': {
      const may = await mayPost(q, body.room, body.by)
      return may.ok ? roomKeyMade(q, (await q.room(body.room))!, body) : may
    }
  }
}

/**
 * A submission dated more than a day after `now` (the relay's clock) is refused: its sender's
 * clock is wrong, and the message would sort after years of others. Asked by the relay only:
 * a daemon stamps its own submissions with its own clock, so it cannot see itself ahead.
 */
export function timely(ts: number, now: number): Verdict {
  if (ts <= now + MAX_CLOCK_AHEAD_MS) return OK
  const hours = Math.round((ts - now) / 3_600_000)
  return no(
    'bad_timestamp',
    `This was dated ${hours.toLocaleString('en')} hours ahead of the relay's clock. The clock of the machine that sent it is wrong: set its date, time and time zone (automatic time is best), then send again.`,
  )
}

/**
 * An account gets keys once (an account from before account keys, at its next log-in) and
 * keeps them: a new wrapping (a password change) must wrap the same keys. Changing keys is
 * what a stolen session would want, so it is not offered.
 */
async function accountKeys(q: ViewQueries, body: Body<'account.keys'>): Promise<Verdict> {
  const account = await q.account(body.username)
  if (!account) return no('unknown_author', `No account "${body.username}" exists on this network.`)
  if (account.keys && (account.keys.sign !== body.keys.sign || account.keys.box !== body.keys.box)) {
    return no('bad_request', `The account "${body.username}" already has keys; a password change keeps them.`)
  }
  return OK
}

async function accountExists(q: ViewQueries, username: string): Promise<Verdict> {
  return (await q.account(username)) ? OK : no('unknown_author', `No account "${username}" exists on this network.`)
}

export async function existingRoom(q: ViewQueries, id: string): Promise<Room | Verdict> {
  const room = await q.room(id)
  return room ?? no('unknown_room', `There is no room "${id.slice(0, 64)}".`)
}

export function roomLabel(room: Room): string {
  return room.kind === 'direct' ? 'this conversation' : `#${room.name}`
}

/** Posting (and reacting) takes being in the room; reading a public one does not. */
export async function mayPost(q: ViewQueries, id: string, username: string): Promise<Verdict> {
  const room = await existingRoom(q, id)
  if ('ok' in room) return room
  if (await q.isMember(id, username)) return OK
  return no(
    'not_a_member',
    room.kind === 'public'
      ? `You are not in #${room.name}. Join it first.`
      : `You are not in ${roomLabel(room)}; a member has to invite you.`,
  )
}

/** What a person may see of a room: its messages, members and read position. */
export async function mayRead(q: ViewQueries, id: string, username: string): Promise<Room | Verdict> {
  const room = await existingRoom(q, id)
  if ('ok' in room) return room
  if (await q.canRead(room, username)) return room
  // The same answer whether the room exists or not would hide it better, but a person who
  // followed a link to it deserves to know why it will not open.
  return no('not_a_member', `${roomLabel(room)} is private and you are not in it.`)
}

async function ownMessage(q: ViewQueries, b: Body<'message.edited'> | Body<'message.deleted'>): Promise<Verdict> {
  const m = await q.message(b.room, b.target)
  if (!m) return no('unknown_message', 'That message does not exist in this room.')
  if (m.author.toLowerCase() !== b.author.toLowerCase()) return no('not_your_message', 'You can only edit or delete your own messages.')
  if (m.deleted) return no('message_deleted', 'That message was deleted.')
  return OK
}

async function reaction(q: ViewQueries, b: Body<'reaction.set'>): Promise<Verdict> {
  const m = await q.message(b.room, b.target)
  if (!m) return no('unknown_message', 'That message does not exist in this room.')
  if (m.deleted) return no('message_deleted', 'That message was deleted; it takes no reactions.')
  return mayPost(q, b.room, b.author)
}

/**
 * A reply answers a message of the same room that is not deleted; a thread hangs off a
 * top-level message of the same room (one level deep, as in Slack: a reply to a thread reply
 * goes to its root, which the local API does before submitting).
 */
async function replyLinks(q: ViewQueries, b: Body<'message.posted'>): Promise<Verdict> {
  if (b.alsoInRoom && !b.thread) return no('invalid_thread', '"Also send to room" goes with a thread reply only.')
  for (const id of [b.replyTo, b.thread]) {
    if (id === undefined) continue
    const m = await q.message(b.room, id)
    if (!m)
      return no(
        'unknown_reply_target',
        'The message you reply to is not in this room (or does not exist). Reply from the room the message is in.',
      )
    if (m.deleted) return no('message_deleted', 'The message you reply to was deleted; send a new message instead.')
    if (id === b.thread && m.thread) return no('invalid_thread', "That message is in a thread already: reply in its thread's root.")
  }
  return OK
}

/** Any member pins or unpins a message of the room that is there and not deleted, up to MAX_PINS_PER_ROOM. */
async function pin(q: ViewQueries, b: Body<'pin.set'>): Promise<Verdict> {
  const m = await q.message(b.room, b.target)
  if (!m) return no('unknown_message', 'That message is not in this room (or does not exist); pin a message of this room.')
  if (m.deleted) return no('message_deleted', 'That message was deleted; it cannot be pinned.')
  const may = await mayPost(q, b.room, b.by)
  if (!may.ok) return may
  if (b.on && !m.pinned && (await q.pinCount(b.room)) >= MAX_PINS_PER_ROOM)
    return no('too_many_pins', `This room has ${MAX_PINS_PER_ROOM} pinned messages, the most it keeps. Unpin one first.`)
  return OK
}

async function roomCreated(q: ViewQueries, b: Body<'room.created'>): Promise<Verdict> {
  if (await q.room(b.room)) return no('room_name_taken', 'That room exists already.')
  const names = b.members.map((m) => m.toLowerCase())
  if (new Set(names).size !== names.length) return no('bad_request', 'A member is listed twice.')
  if (!names.includes(b.creator.toLowerCase())) return no('bad_request', 'The creator must be a member.')
  for (const m of b.members) {
    const known = await accountExists(q, m)
    if (!known.ok) return known
  }
  if (b.kind === 'direct') {
    if (b.name !== undefined) return no('bad_request', 'A direct conversation has no name.')
    if (b.members.length < 2 || b.members.length > DIRECT_MAX_MEMBERS) {
      return no('bad_request', `A direct conversation is between 2 and ${DIRECT_MAX_MEMBERS} people.`)
    }
    return b.room === directRoomId(b.members) ? OK : no('bad_request', "A direct conversation's id must follow from its members.")
  }
  if (!b.room.startsWith('r-')) return no('bad_request', "A room's id starts with r-.")
  if (b.name === undefined) return no('invalid_room_name', 'A room needs a name.')
  return nameFree(q, b.name, b.room)
}

async function nameFree(q: ViewQueries, name: string, room: string): Promise<Verdict> {
  const holder = name === GENERAL_ROOM ? GENERAL_ROOM : await q.roomIdByName(name)
  return holder === undefined || holder === room
    ? OK
    : no('room_name_taken', `There is a room called #${name} already. Choose another name.`)
}

async function roomUpdated(q: ViewQueries, b: Body<'room.updated'>): Promise<Verdict> {
  const allowed = await mayPost(q, b.room, b.by)
  if (!allowed.ok) return allowed
  const room = (await q.room(b.room))!
  if (room.kind === 'direct') return no('bad_request', 'A direct conversation has no name or topic to change.')
  if (b.name === undefined) return OK
  if (room.id === GENERAL_ROOM && b.name !== GENERAL_ROOM) return no('invalid_room_name', '#general keeps its name.')
  return nameFree(q, b.name, b.room)
}

async function roomJoined(q: ViewQueries, b: Body<'room.joined'>): Promise<Verdict> {
  const room = await existingRoom(q, b.room)
  if ('ok' in room) return room
  if (room.id === GENERAL_ROOM) return no('already_member', 'Everyone is in #general.')
  if (room.kind === 'direct') return no('bad_request', 'Nobody can be added to a direct conversation; start a new one.')
  const known = await accountExists(q, b.username)
  if (!known.ok) return known
  if (await q.isMember(b.room, b.username)) return no('already_member', `${b.username} is in ${roomLabel(room)} already.`)
  const keyed = await mayJoinEncrypted(q, room, b.username)
  if (!keyed.ok) return keyed
  const self = b.by.toLowerCase() === b.username.toLowerCase()
  if (self && room.kind === 'public') return OK
  if (self) return no('not_a_member', `${roomLabel(room)} is private: a member has to invite you.`)
  return (await q.isMember(b.room, b.by)) ? OK : no('not_a_member', `Only members of ${roomLabel(room)} can invite people.`)
}

async function roomLeft(q: ViewQueries, b: Body<'room.left'>): Promise<Verdict> {
  const room = await existingRoom(q, b.room)
  if ('ok' in room) return room
  if (room.id === GENERAL_ROOM) return no('cannot_leave', 'Nobody leaves #general: it is how everyone reaches everyone.')
  if (room.kind === 'direct') return no('cannot_leave', 'A direct conversation cannot be left.')
  return (await q.isMember(b.room, b.username)) ? OK : no('not_a_member', `You are not in ${roomLabel(room)}.`)
}
