/**
 * The rules of encrypted rooms (daemon/rooms/keys.ts), as the relay and the local API ask
 * them, and what the views keep (daemon/store/apply.ts): a room key for exactly the members
 * at the next epoch, a new epoch needed after every membership change, no plain text once
 * encrypted, a removed member's key refused, and a hostile relay's out-of-rule key ignored.
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry, EntryBody, PasswordHash, SealedContent } from '../../../shared/index.js'
import { check } from '../../../daemon/rooms/index.js'
import { newRoomKey, roomKeyCommitment, sealRoomKey } from '../../../daemon/sealing/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const ROOM = 'r-abcdefghijkl'
const PUBLIC = 'r-publicpublic'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const people = new TestPeople('alice', 'bob', 'carol')

type T = { testdir: () => string; teardown: (fn: () => unknown) => void }

/** A store with alice, bob, carol (keys) and dave (no keys: from before account keys), and a private room of alice and bob. */
async function setUp(t: T): Promise<{ store: Store; add: (...bodies: EntryBody[]) => Promise<void> }> {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  let seq = 0
  const add = async (...bodies: EntryBody[]) => {
    const entries: Entry[] = bodies.map((body) => ({ id: `entry-${++seq}-xx`, ts: 5000 + seq, origin: NODE, seq, term: 1, body }))
    await store.append(entries)
  }
  await add(
    people.created('alice'),
    people.created('bob'),
    people.created('carol'),
    { type: 'account.created', username: 'dave', password: HASH },
    { type: 'room.created', room: ROOM, kind: 'private', name: 'plans', topic: '', creator: 'alice', members: ['alice', 'bob'] },
    { type: 'room.created', room: PUBLIC, kind: 'public', name: 'lobby', topic: '', creator: 'alice', members: ['alice'] },
  )
  return { store, add }
}

async function roomKey(epoch: number, by: string, to: string[], room = ROOM): Promise<Extract<EntryBody, { type: 'room.key' }>> {
  const key = await newRoomKey()
  const sealed: Record<string, string> = {}
  for (const name of to) sealed[name] = await sealRoomKey(key, people.get(name).keys.box)
  return { type: 'room.key', room, by, epoch, sealed, commitment: await roomKeyCommitment(key, { room, epoch }) }
}

const sealed = (epoch: number): SealedContent => ({ epoch, nonce: 'A'.repeat(32), ct: 'B'.repeat(40) })
const post = (epoch: number | null, text = ''): EntryBody => ({
  type: 'message.posted',
  room: ROOM,
  author: 'alice',
  text,
  ...(epoch === null ? {} : { sealed: sealed(epoch) }),
})

t.test('the first key: by a member, epoch 1, sealed to exactly the members', async (t) => {
  const { store } = await setUp(t)
  const q = store.views.q
  const head = store.log.head
  t.same(await check(await roomKey(1, 'alice', ['alice', 'bob']), q, head), { ok: true })
  t.same(await check(await roomKey(1, 'bob', ['Alice', 'BOB']), q, head), { ok: true }, 'names regardless of case')
  t.match(await check(await roomKey(2, 'alice', ['alice', 'bob']), q, head), { ok: false, code: 'room_key_invalid' }, 'not the next epoch')
  t.match(await check(await roomKey(1, 'alice', ['alice']), q, head), { ok: false, code: 'room_key_invalid' }, 'a member left out')
  t.match(
    await check(await roomKey(1, 'alice', ['alice', 'bob', 'carol']), q, head),
    { ok: false, code: 'room_key_invalid', message: /carol is not in this room/ },
    'a non-member given the key',
  )
  t.match(await check(await roomKey(1, 'carol', ['alice', 'bob']), q, head), { ok: false, code: 'not_a_member' }, 'made by a non-member')
  t.match(
    await check(await roomKey(1, 'alice', ['alice'], PUBLIC), q, head),
    { ok: false, code: 'room_key_invalid', message: /Public rooms are not encrypted/ },
    'public rooms are never encrypted',
  )
})

t.test('once encrypted: sealed under the current epoch only, never plain', async (t) => {
  const { store, add } = await setUp(t)
  const q = store.views.q
  t.same(await check(post(null, 'plain before'), q, store.log.head), { ok: true }, 'plain text while the room is not encrypted')
  t.match(await check(post(1), q, store.log.head), { ok: false, code: 'room_key_invalid' }, 'sealed text in a room without a key')
  await add(await roomKey(1, 'alice', ['alice', 'bob']))
  t.match(
    await q.room(ROOM),
    { epoch: 1, epochSeq: 7, membershipSeq: 5 },
    'the views keep the epoch, where it began, the last membership change',
  )
  t.match(await q.roomKey(ROOM, 1), { epoch: 1, seq: 7, by: 'alice' }, 'and the key entry')
  t.same(await check(post(1), q, store.log.head), { ok: true })
  t.match(await check(post(null, 'hello'), q, store.log.head), { ok: false, code: 'room_encrypted' }, 'plain text refused')
  t.match(
    await check({ ...post(1), text: 'leak' } as EntryBody, q, store.log.head),
    { ok: false, code: 'room_encrypted' },
    'sealed plus a plain copy refused',
  )
  t.match(await check(post(2), q, store.log.head), { ok: false, code: 'room_key_stale' }, 'an epoch that does not exist yet')
  await add(post(1))
  const edit = (s?: SealedContent, text = ''): EntryBody => ({
    type: 'message.edited',
    room: ROOM,
    target: 'entry-8-xx',
    author: 'alice',
    text,
    ...(s ? { sealed: s } : {}),
  })
  t.same(await check(edit(sealed(1)), q, store.log.head), { ok: true }, 'a sealed edit')
  t.match(await check(edit(undefined, 'plain edit'), q, store.log.head), { ok: false, code: 'room_encrypted' }, 'a plain edit refused')
  t.match(await check(edit(undefined, ''), q, store.log.head), { ok: false, code: 'empty_message' })
  await add(edit(sealed(1)))
  t.match(await q.message(ROOM, 'entry-8-xx'), { text: '', sealed: sealed(1), edited: 5009 }, 'the views keep the sealed edit')
})

t.test('files in an encrypted room: sealed blobs only, never plain files', async (t) => {
  const { store, add } = await setUp(t)
  const q = store.views.q
  const file = { sha256: 'a'.repeat(64), name: 'plan.pdf', size: 10, mime: 'application/pdf' }
  const blob = { sha256: 'b'.repeat(64), size: 51 }
  t.same(
    await check({ ...post(null, ''), files: [file] } as EntryBody, q, store.log.head),
    { ok: true },
    'plain files before the room is encrypted',
  )
  t.match(
    await check({ ...post(null, 'x'), blobs: [blob] } as EntryBody, q, store.log.head),
    { ok: false, code: 'room_key_invalid' },
    'sealed blobs without sealed content refused',
  )
  await add(await roomKey(1, 'alice', ['alice', 'bob']))
  t.same(await check({ ...post(1), blobs: [blob] } as EntryBody, q, store.log.head), { ok: true }, 'sealed content with its sealed blobs')
  t.match(
    await check({ ...post(1), files: [file] } as EntryBody, q, store.log.head),
    { ok: false, code: 'room_encrypted' },
    'sealed text with plain files refused: their names and bytes would be on every machine',
  )
  t.match(
    await check({ ...post(1), files: [file], blobs: [blob] } as EntryBody, q, store.log.head),
    { ok: false, code: 'room_encrypted' },
    'plain files next to sealed blobs refused too',
  )
  t.match(
    await check({ ...post(null, ''), files: [file] } as EntryBody, q, store.log.head),
    { ok: false, code: 'room_encrypted' },
    'a plain message with files refused',
  )
  await add({ ...post(1), blobs: [blob] } as EntryBody)
  t.match(
    await q.message(ROOM, 'entry-8-xx'),
    { blobs: [blob], sealed: sealed(1) },
    'the views keep the sealed blobs (the sweep keeps them)',
  )
  await add({ type: 'message.deleted', room: ROOM, target: 'entry-8-xx', author: 'alice' })
  t.notOk((await q.message(ROOM, 'entry-8-xx'))?.blobs, 'and drop them when the message is deleted')
})

t.test('a membership change needs a new epoch; a removed member gets no key', async (t) => {
  const { store, add } = await setUp(t)
  const q = store.views.q
  await add(await roomKey(1, 'alice', ['alice', 'bob']), post(1))
  await add({ type: 'room.left', room: ROOM, username: 'bob' })
  t.match(await check(post(1), q, store.log.head), { ok: false, code: 'room_key_stale' }, 'nothing more under the key bob holds')
  t.match(
    await check(await roomKey(2, 'alice', ['alice', 'bob']), q, store.log.head),
    { ok: false, code: 'room_key_invalid', message: /bob is not in this room/ },
    'a key for the member who left is refused',
  )
  t.match(await check(await roomKey(2, 'bob', ['bob']), q, store.log.head), { ok: false, code: 'not_a_member' }, 'nor can bob make one')
  t.same(await check(await roomKey(2, 'alice', ['alice']), q, store.log.head), { ok: true })
  await add(await roomKey(2, 'alice', ['alice']))
  t.same(await check(post(2), q, store.log.head), { ok: true }, 'sealed under the new epoch')
  t.match(await check(post(1), q, store.log.head), { ok: false, code: 'room_key_stale' }, 'not under the old one')

  await add({ type: 'room.joined', room: ROOM, username: 'carol', by: 'alice' })
  t.match(await check(post(2), q, store.log.head), { ok: false, code: 'room_key_stale' }, 'an invitation needs a new epoch too')
  t.match(
    await check(await roomKey(3, 'alice', ['alice']), q, store.log.head),
    { ok: false, code: 'room_key_invalid' },
    'which includes carol',
  )
  await add(await roomKey(3, 'carol', ['alice', 'carol']))
  t.same(await check(post(3), q, store.log.head), { ok: true })
})

t.test('an account without keys: a room stays plain with them, and an encrypted room cannot take them', async (t) => {
  const { store, add } = await setUp(t)
  const q = store.views.q
  await add({ type: 'room.joined', room: ROOM, username: 'dave', by: 'alice' })
  const withDave = await roomKey(1, 'alice', ['alice', 'bob'])
  withDave.sealed.dave = withDave.sealed.alice!
  t.match(await check(withDave, q, store.log.head), { ok: false, code: 'room_key_invalid', message: /dave has no account keys yet/ })
  t.same(await check(post(null, 'still plain'), q, store.log.head), { ok: true }, 'plain text while dave has no keys')
  await add({ type: 'room.left', room: ROOM, username: 'dave' }, await roomKey(1, 'alice', ['alice', 'bob']))
  t.match(await check({ type: 'room.joined', room: ROOM, username: 'dave', by: 'alice' }, q, store.log.head), {
    ok: false,
    code: 'room_key_invalid',
    message: /dave has not logged in since/,
  })
})

t.test('a hostile relay ordering keys against the rules changes nothing; undoing a key restores the epoch', async (t) => {
  const { store, add } = await setUp(t)
  await add(
    await roomKey(1, 'alice', ['alice', 'bob', 'carol']),
    await roomKey(2, 'alice', ['alice', 'bob']),
    await roomKey(1, 'carol', ['alice', 'bob']),
  )
  t.notOk((await store.views.q.room(ROOM))?.epoch, 'a key for a non-member, for a skipped epoch, by a non-member: all ignored')
  t.equal(await store.views.q.roomKey(ROOM, 1), undefined)
  await add(await roomKey(1, 'alice', ['alice', 'bob']))
  const head = store.log.head
  await add({ type: 'room.left', room: ROOM, username: 'bob' }, await roomKey(2, 'alice', ['alice']))
  t.match(await store.views.q.room(ROOM), { epoch: 2, memberCount: 1 })
  await store.truncateAfter(head)
  t.match(await store.views.q.room(ROOM), { epoch: 1, epochSeq: head, memberCount: 2 }, 'back to epoch 1 with bob')
  t.equal(await store.views.q.roomKey(ROOM, 2), undefined)
})
