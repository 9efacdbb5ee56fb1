/**
 * Entries to view changes and back. `applyEntries` writes what each kind of entry does into a
 * transaction (which remembers what it overwrote) and stores each entry's undo record with it;
 * `revertOps` takes an entry back from that record. Entries reaching here were validated by
 * the relay; a target that is missing anyway (an entry from an older log) changes nothing.
 * What the relay's rule book would have refused and a hostile relay ordered anyway changes
 * nothing either, on every replica alike: an edit or delete of someone else's message, a room
 * made again over an existing one, a rename by a non-member, joining a room one may not join.
 */
import { GENERAL_ROOM, nameItPassesFor, type Entry, type ProfileSet, type Message, type ReactionCount } from '../../shared/index.js'
import { StoreError } from '../errors/index.js'
import { memberKey, memberOfKey, messageKey, notifyKey, readKey, roomKeyKey, seqKey, userKey } from './keys.js'
import { generalRoom, ViewQueries } from './queries.js'
import { noticeKeyChange } from './notices.js'
import { addToThread, applyPin, replyFields, unpinDeleted } from './threads.js'
import { ViewTx } from './tx.js'
import type { Account, Member, Op, Room, RoomKeyRecord, Sub, UndoStep, ViewSubs } from './types.js'

/**
 * Applies entries in order into `tx`, with each one's undo record. A pure entry (a new
 * message, a read mark: it only adds keys that follow from the entry) needs none, which
 * saves a write for most of the log.
 */
export async function applyEntries(entries: Entry[], tx: ViewTx, undoRecords: Sub<UndoStep[]>): Promise<void> {
  for (const entry of entries) {
    await applyEntry(entry, tx)
    const { steps, pure } = tx.takeUndo()
    if (!pure) tx.ops.push({ type: 'put', sublevel: undoRecords, key: seqKey(entry.seq), value: steps })
  }
}

/** The ops undoing one entry: its undo record, or for a pure entry, deleting what it added. */
export async function revertOps(subs: ViewSubs, undoRecords: Sub<UndoStep[]>, entry: Entry): Promise<Op[]> {
  const steps = await undoRecords.get(seqKey(entry.seq))
  if (steps) return [...undoOps(subs, steps), { type: 'del', sublevel: undoRecords, key: seqKey(entry.seq) }]
  const dry = new ViewTx(subs, true)
  try {
    await applyEntry(entry, dry)
  } catch (cause) {
    throw new StoreError(
      `Entry ${entry.seq} has no undo record, so it cannot be taken back. Move the database aside and restart to rebuild it from the relay.`,
      { cause },
    )
  }
  return undoOps(subs, dry.takeUndo().steps)
}

async function applyEntry(entry: Entry, tx: ViewTx): Promise<void> {
  // The id index is the log's, written here so that entries later in the batch find this one.
  await tx.put('ids', entry.id, entry.seq, true)
  const b = entry.body
  const q = new ViewQueries((sub, key) => tx.get(sub, key))
  switch (b.type) {
    case 'account.created': {
      // Never a second account of a name (the relay and every replica refuse one): keep the first.
      if (await q.account(b.username)) return
      const credentials = b.keys && b.wrapped ? { keys: b.keys, wrapped: b.wrapped } : b.password ? { password: b.password } : {}
      await tx.put('users', userKey(b.username), { username: b.username, ...credentials, createdSeq: entry.seq } satisfies Account)
      const general = (await q.room(GENERAL_ROOM)) ?? generalRoom()
      return tx.put('rooms', GENERAL_ROOM, { ...general, memberCount: general.memberCount + 1 })
    }
    case 'account.keys': {
      const account = await q.account(b.username)
      if (!account) return
      // Trust people can see: a line in each of the person's rooms when these keys are new or other (notices.ts).
      await noticeKeyChange(tx, entry, account, b.keys)
      // The verifier goes: from now on logging in is opening the wrapped keys.
      const { password: _verifier, ...rest } = account
      return tx.put('users', userKey(b.username), { ...rest, keys: b.keys, wrapped: b.wrapped })
    }
    case 'account.avatar': {
      const account = await q.account(b.username)
      if (!account) return
      const { avatar: _old, ...rest } = account
      return tx.put('users', userKey(b.username), b.avatar ? { ...rest, avatar: b.avatar } : rest)
    }
    case 'profile.set':
      return applyProfile(q, tx, b)
    case 'message.posted': {
      const message: Message = {
        id: entry.id,
        seq: entry.seq,
        room: b.room,
        author: b.author,
        text: b.text,
        ts: entry.ts,
        ...(b.files?.length ? { files: b.files } : {}),
        ...(b.sealed ? { sealed: b.sealed } : {}),
        ...(b.sealed && b.blobs?.length ? { blobs: b.blobs } : {}),
        // Read only for a reply, so a plain message stays pure (no undo record): threads.ts.
        ...(b.replyTo || b.thread ? await replyFields(q, b) : {}),
      }
      await tx.put('msgs', messageKey(b.room, entry.seq), message, true)
      if (message.thread) await addToThread(q, tx, message)
      return
    }
    case 'message.edited':
      return changeMessage(
        q,
        tx,
        b.room,
        b.target,
        ({ sealed: _old, ...m }) => ({ ...m, text: b.text, edited: entry.ts, ...(b.sealed ? { sealed: b.sealed } : {}) }),
        b.author,
      )
    case 'message.deleted': {
      const before = await q.message(b.room, b.target)
      if (before && !before.deleted && same(before.author, b.author)) await unpinDeleted(q, tx, before)
      return changeMessage(
        q,
        tx,
        b.room,
        b.target,
        ({ reactions: _r, edited: _e, files: _f, sealed: _s, blobs: _b, pinned: _p, ...m }) => ({ ...m, text: '', deleted: true }),
        b.author,
      )
    }
    case 'pin.set':
      return applyPin(q, tx, b, entry.ts)
    case 'reaction.set':
      return changeMessage(q, tx, b.room, b.target, (m) => ({ ...m, reactions: react(m.reactions ?? [], b.emoji, b.author, b.on) }))
    case 'room.created': {
      if (await q.room(b.room)) return // an existing room is never made again, nor its record replaced
      const room: Room = {
        id: b.room,
        kind: b.kind,
        name: b.name ?? '',
        topic: b.topic,
        creator: b.creator,
        createdSeq: entry.seq,
        memberCount: 0,
        membershipSeq: entry.seq,
      }
      await tx.put('rooms', b.room, room, true)
      if (b.name) await tx.put('roomNames', b.name, b.room)
      for (const m of b.members) await addMember(tx, room, m, entry.seq)
      return
    }
    case 'room.updated': {
      const room = await q.room(b.room)
      if (!room || room.kind === 'direct' || !(await q.isMember(b.room, b.by))) return
      if (b.name !== undefined && b.name !== room.name) {
        if (room.name) await tx.del('roomNames', room.name)
        await tx.put('roomNames', b.name, b.room)
      }
      return tx.put('rooms', b.room, { ...room, name: b.name ?? room.name, topic: b.topic ?? room.topic })
    }
    case 'room.joined': {
      const room = await q.room(b.room)
      if (room && (await mayJoin(q, room, b.username, b.by))) await addMember(tx, room, b.username, entry.seq)
      return
    }
    case 'room.left': {
      const room = await q.room(b.room)
      if (!room || !(await tx.get('members', memberKey(b.room, b.username)))) return
      await tx.del('members', memberKey(b.room, b.username))
      await tx.del('memberOf', memberOfKey(b.username, b.room))
      return tx.put('rooms', b.room, { ...room, memberCount: room.memberCount - 1, membershipSeq: entry.seq })
    }
    case 'room.key':
      return applyRoomKey(q, tx, b, entry.seq)
    case 'read.marked':
      return tx.put('reads', readKey(b.username, b.room, b.seq), entry.seq, true)
    case 'notify.set':
      // Only a member's own choice counts (the rule book's); its undo record restores the one before.
      if (!(await q.isMember(b.room, b.username))) return
      return tx.put('notify', notifyKey(b.username, b.room), b.level)
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * A person's own display name and status; what the rule book would refuse (a display name
 * that is another account's username) changes nothing here either. The undo record restores
 * the account as it was, so a partition heal takes it back like any entry.
 */
async function applyProfile(q: ViewQueries, tx: ViewTx, b: ProfileSet): Promise<void> {
  const account = await q.account(b.username)
  if (!account) return
  const other = await q.account(nameItPassesFor(b.displayName))
  if (other && !same(other.username, b.username)) return
  const { displayName: _n, status: _s, statusEmoji: _e, ...rest } = account
  const profile = {
    ...(b.displayName ? { displayName: b.displayName } : {}),
    ...(b.status ? { status: b.status } : {}),
    ...(b.statusEmoji ? { statusEmoji: b.statusEmoji } : {}),
  }
  await tx.put('users', userKey(b.username), { ...rest, ...profile } satisfies Account)
}

/** Joining oneself to a public room, or being invited by a member; never into a direct conversation. */
async function mayJoin(q: ViewQueries, room: Room, username: string, by: string): Promise<boolean> {
  if (room.kind === 'direct') return false
  if (same(username, by)) return room.kind === 'public'
  return q.isMember(room.id, by)
}

async function addMember(tx: ViewTx, room: Room, username: string, since: number): Promise<void> {
  if (await tx.get('members', memberKey(room.id, username))) return
  await tx.put('members', memberKey(room.id, username), { username, since } satisfies Member)
  await tx.put('memberOf', memberOfKey(username, room.id), room.id)
  const now = (await tx.get<Room>('rooms', room.id)) ?? room
  await tx.put('rooms', room.id, { ...now, memberCount: now.memberCount + 1, membershipSeq: since })
}

/**
 * A room's key for its next epoch, sealed to exactly its members by one of them
 * (daemon/rooms/keys.ts). What a hostile relay ordered against those rules changes nothing,
 * here as on every replica: the room's epoch only ever moves to the one after it.
 */
async function applyRoomKey(q: ViewQueries, tx: ViewTx, b: Extract<Entry['body'], { type: 'room.key' }>, seq: number): Promise<void> {
  const room = await q.room(b.room)
  if (!room || room.kind === 'public' || b.epoch !== (room.epoch ?? 0) + 1 || !(await q.isMember(b.room, b.by))) return
  const names = Object.keys(b.sealed).map((n) => n.toLowerCase())
  if (new Set(names).size !== room.memberCount || names.length !== room.memberCount) return
  for (const name of names) if (!(await q.isMember(b.room, name))) return
  const sealed = Object.fromEntries(Object.entries(b.sealed).map(([name, box]) => [name.toLowerCase(), box]))
  const record: RoomKeyRecord = { epoch: b.epoch, seq, by: b.by, sealed, commitment: b.commitment }
  await tx.put('roomKeys', roomKeyKey(b.room, b.epoch), record, true)
  await tx.put('rooms', b.room, { ...room, epoch: b.epoch, epochSeq: seq })
}

/** Changes a message that is there and not deleted; with `author`, only that author's own. */
async function changeMessage(
  q: ViewQueries,
  tx: ViewTx,
  room: string,
  target: string,
  change: (m: Message) => Message,
  author?: string,
): Promise<void> {
  const message = await q.message(room, target)
  if (!message || message.deleted || (author !== undefined && !same(message.author, author))) return
  await tx.put('msgs', messageKey(room, message.seq), change(message))
}

/** Adds or takes back one person's emoji; an emoji nobody gives any more goes away. */
export function react(reactions: ReactionCount[], emoji: string, username: string, on: boolean): ReactionCount[] {
  const lower = username.toLowerCase()
  const out = reactions.map((r) => ({ emoji: r.emoji, users: r.users.filter((u) => u.toLowerCase() !== lower || r.emoji !== emoji) }))
  const existing = out.find((r) => r.emoji === emoji)
  if (on) {
    if (existing) existing.users.push(username)
    else out.push({ emoji, users: [username] })
  }
  return out.filter((r) => r.users.length > 0)
}

/** The ops that restore what `steps` changed, newest change first. */
function undoOps(subs: ViewSubs, steps: UndoStep[]): Op[] {
  return steps
    .slice()
    .reverse()
    .map(
      (s): Op =>
        s.absent ? { type: 'del', sublevel: subs[s.sub], key: s.key } : { type: 'put', sublevel: subs[s.sub], key: s.key, value: s.prev },
    )
}
