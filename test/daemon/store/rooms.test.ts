/**
 * Rooms and message changes in the views, and taking them back: every kind of entry leaves
 * an undo record, so truncating after any point gives exactly the views as they were at that
 * point (several changes to one message or one room among the removed entries included).
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry, EntryBody, PasswordHash } from '../../../shared/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const ROOM = 'r-abcdefghijkl'

function entries(bodies: EntryBody[], from = 1): Entry[] {
  return bodies.map((body, i) => ({ id: `entry-${from + i}-xx`, ts: 5000 + from + i, origin: NODE, seq: from + i, term: 1, body }))
}

const base: EntryBody[] = [
  { type: 'account.created', username: 'alice', password: HASH },
  { type: 'account.created', username: 'bob', password: HASH },
  { type: 'room.created', room: ROOM, kind: 'public', name: 'design', topic: 'pixels', creator: 'alice', members: ['alice'] },
  { type: 'message.posted', room: ROOM, author: 'alice', text: 'first draft' },
]
// entry-4-xx is the message the changes below aim at.
const changes: EntryBody[] = [
  { type: 'room.joined', room: ROOM, username: 'bob', by: 'bob' },
  { type: 'message.edited', room: ROOM, target: 'entry-4-xx', author: 'alice', text: 'second draft' },
  { type: 'reaction.set', room: ROOM, target: 'entry-4-xx', author: 'bob', emoji: '👍', on: true },
  { type: 'room.updated', room: ROOM, by: 'bob', name: 'design-team', topic: 'fonts' },
  { type: 'message.edited', room: ROOM, target: 'entry-4-xx', author: 'alice', text: 'third draft' },
  { type: 'message.posted', room: ROOM, author: 'bob', text: 'nice @alice' },
  { type: 'room.left', room: ROOM, username: 'bob' },
  { type: 'message.deleted', room: ROOM, target: 'entry-4-xx', author: 'alice' },
  // A notification level overwrites the one before: truncation must uncover it.
  { type: 'notify.set', room: ROOM, username: 'alice', level: 'mute' },
  { type: 'notify.set', room: ROOM, username: 'alice', level: 'mentions' },
]

/** Every view, key by key: what "the same state" means. */
async function snapshot(store: Store): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [name, sub] of Object.entries(store.views.subs)) {
    out[name] = {}
    for await (const [k, v] of sub.iterator()) out[name]![k] = v
  }
  return out
}

type T = { testdir: () => string; teardown: (fn: () => unknown) => void }
async function open(t: T): Promise<Store> {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  return store
}

t.test('rooms, members and message changes as the views show them', async (t) => {
  const store = await open(t)
  await store.append(entries([...base, ...changes]))
  const room = await store.views.q.room(ROOM)
  t.match(room, { name: 'design-team', topic: 'fonts', memberCount: 1 }, 'renamed, topic set, bob came and went')
  t.equal(await store.views.lastSeq(ROOM), 10, "its newest message is bob's")
  t.equal(await store.views.q.roomIdByName('design-team'), ROOM, 'found by its new name')
  t.equal(await store.views.q.roomIdByName('design'), undefined, 'and no longer by the old one')
  t.same(await store.views.members(ROOM), ['alice'])
  t.same(
    (await store.views.roomsOf('bob')).map((r) => r.id),
    ['general'],
    'bob is back to general only',
  )
  t.match(await store.views.q.room('general'), { memberCount: 2 }, 'general counts every account')
  t.equal(await store.views.q.notifyLevel('alice', ROOM), 'mentions', "alice's newest level")
  const [first, second] = await store.views.messages(ROOM, 10)
  t.match(first, { text: '', deleted: true }, 'the deleted message keeps its place, not its text')
  t.notOk(first!.reactions, 'nor its reactions')
  t.match(second, { author: 'bob', text: 'nice @alice' })
  t.same(
    await store.views.readPosition('alice', ROOM),
    { seq: 3, unread: 1, mentions: 1 },
    'alice, in since she made the room (entry 3), has one unread, a mention',
  )
})

t.test('truncating after any point restores the views of that point exactly', async (t) => {
  const all = entries([...base, ...changes])
  for (let cut = base.length; cut < all.length; cut++) {
    const store = await Store.open(join(t.testdir(), `db-${cut}`))
    await store.append(all.slice(0, cut))
    const before = await snapshot(store)
    await store.append(all.slice(cut))
    await store.truncateAfter(cut)
    t.same(await snapshot(store), before, `after truncating to entry ${cut}`)
    await store.append(all.slice(cut))
    t.match((await store.views.messages(ROOM, 10))[0], { deleted: true }, `and applying again ends where it did (${cut})`)
    await store.close()
  }
})

t.test('a change aimed at a message that is not there changes nothing', async (t) => {
  const store = await open(t)
  await store.append(entries(base))
  const before = await snapshot(store)
  await store.append(entries([{ type: 'message.edited', room: ROOM, target: 'entry-99-zz', author: 'alice', text: 'ghost' }], 5))
  const { ids, ...after } = await snapshot(store)
  const { ids: _before, ...rest } = before
  t.same(after, rest, 'no view moved')
  t.equal(ids!['entry-5-xx'], 5, "only the log's id index has the entry")
})

t.test('a database written by an older SO-CHAT has its views rebuilt from the log at open', async (t) => {
  const dir = join(t.testdir(), 'db')
  const old = await Store.open(dir)
  await old.append(entries([...base, ...changes.slice(0, 3)]))
  const current = await snapshot(old)
  // What an older version left: no version mark, no rooms, no undo records.
  await old.meta.del('views.version')
  await old.views.subs.rooms.clear()
  await old.views.undoRecords.clear()
  await old.close()
  const store = await Store.open(dir)
  t.teardown(() => store.close())
  t.same(await snapshot(store), current, 'every view as if it had been written by this version')
  t.match(await store.views.q.message(ROOM, 'entry-4-xx'), { text: 'second draft' }, 'edits are applied again')
  t.ok((await store.truncateAfter(4)).length === 3, 'and entries can be taken back')
  t.notOk((await store.views.q.message(ROOM, 'entry-4-xx'))?.reactions, 'exactly')
})

t.test('unread starts where a person joined, and counting stops at the cap', async (t) => {
  const store = await open(t)
  const { UNREAD_COUNT_MAX } = await import('../../../daemon/store/index.js')
  const old = Array.from(
    { length: UNREAD_COUNT_MAX + 5 },
    (_, i): EntryBody => ({ type: 'message.posted', room: ROOM, author: 'alice', text: `old ${i}` }),
  )
  await store.append(entries([...base, ...old]))
  const joinedAt = store.log.head + 1
  await store.append(
    entries(
      [
        { type: 'room.joined', room: ROOM, username: 'bob', by: 'bob' },
        { type: 'message.posted', room: ROOM, author: 'alice', text: 'new' },
      ],
      joinedAt,
    ),
  )
  t.same(
    await store.views.readPosition('bob', ROOM),
    { seq: joinedAt, unread: 1, mentions: 0 },
    'bob joined after the old messages: only the new one is unread',
  )
  await store.append(entries([{ type: 'account.created', username: 'carol', password: HASH }], store.log.head + 1))
  t.equal((await store.views.readPosition('carol', 'general')).unread, 0, 'a new account has nothing unread in general')
  const { unread } = await store.views.readPosition('alice', ROOM)
  t.equal(unread, 0, 'alice wrote them all')
  await store.append(entries(old.map((b) => ({ ...b, author: 'bob' })) as EntryBody[], store.log.head + 1))
  t.equal(
    (await store.views.readPosition('alice', ROOM)).unread,
    UNREAD_COUNT_MAX,
    `over ${UNREAD_COUNT_MAX} unread count as ${UNREAD_COUNT_MAX}`,
  )
})
