/**
 * Replies, threads and pins in the views (daemon/store/threads.ts): what the timeline, a
 * thread and the pinned list show; what a hostile relay's disallowed links change (nothing
 * harmful); and taking every step back (a partition undone), to exactly the views before.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Entry, EntryBody, PasswordHash } from '../../../shared/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const ROOM = 'r-abcdefghijkl'
const OTHER = 'r-mnopqrstuvwx'

function entries(bodies: EntryBody[], from = 1): Entry[] {
  return bodies.map((body, i) => ({ id: `entry-${from + i}-xx`, ts: 5000 + from + i, origin: NODE, seq: from + i, term: 1, body }))
}
const say = (author: string, text: string, more: Partial<Extract<EntryBody, { type: 'message.posted' }>> = {}): EntryBody => ({
  type: 'message.posted',
  room: ROOM,
  author,
  text,
  ...more,
})

const base: EntryBody[] = [
  { type: 'account.created', username: 'alice', password: HASH },
  { type: 'account.created', username: 'bob', password: HASH },
  { type: 'account.created', username: 'carol', password: HASH },
  { type: 'room.created', room: ROOM, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice', 'bob', 'carol'] },
  { type: 'room.created', room: OTHER, kind: 'public', name: 'other', topic: '', creator: 'alice', members: ['alice'] },
  say('alice', 'the root'), // entry-6-xx
  { type: 'message.posted', room: OTHER, author: 'alice', text: 'elsewhere' }, // entry-7-xx
]
const changes: EntryBody[] = [
  say('bob', 'a quoted reply', { replyTo: 'entry-6-xx' }), // 8
  say('bob', 'in the thread', { thread: 'entry-6-xx' }), // 9
  say('carol', 'in the thread and the room', { thread: 'entry-6-xx', alsoInRoom: true }), // 10
  { type: 'pin.set', room: ROOM, target: 'entry-6-xx', by: 'bob', on: true }, // 11
  { type: 'pin.set', room: ROOM, target: 'entry-8-xx', by: 'carol', on: true }, // 12
  { type: 'pin.set', room: ROOM, target: 'entry-8-xx', by: 'carol', on: false }, // 13
  { type: 'pin.set', room: ROOM, target: 'entry-9-xx', by: 'alice', on: true }, // 14
  { type: 'message.deleted', room: ROOM, target: 'entry-9-xx', author: 'bob' }, // 15: unpins it
  say('bob', 'again', { thread: 'entry-6-xx' }), // 16
]

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

t.test('a reply, a thread and pins as the views show them', async (t) => {
  const store = await open(t)
  await store.append(entries([...base, ...changes]))
  const views = store.views
  const timeline = (await views.messages(ROOM, 50)).map((m) => m.text)
  t.same(timeline, ['the root', 'a quoted reply', 'in the thread and the room'], 'thread-only replies stay out of the timeline')
  t.equal((await views.q.message(ROOM, 'entry-8-xx'))?.replyTo, 'entry-6-xx', 'a reply keeps what it answers')
  const root = await views.q.message(ROOM, 'entry-6-xx')
  t.same(root?.replies, { count: 3, last: 'bob', lastTs: 5016, people: ['alice', 'bob', 'carol'] }, '"3 replies, last by bob"')
  const thread = await views.threadReplies(ROOM, 6, 50)
  t.same(
    thread.map((m) => [m.id, m.deleted ?? false]),
    [
      ['entry-9-xx', true],
      ['entry-10-xx', false],
      ['entry-16-xx', false],
    ],
    'the thread in order, the deleted reply marked',
  )
  t.same(
    (await views.threadReplies(ROOM, 6, 1, 16)).map((m) => m.id),
    ['entry-10-xx'],
    'paged back with before',
  )
  t.same(
    (await views.pinned(ROOM)).map((m) => [m.id, m.pinned?.by]),
    [['entry-6-xx', 'bob']],
    'unpinned and deleted messages are not pinned',
  )
  t.equal((await views.q.room(ROOM))?.pins, 1, 'the room counts its pins')
  t.ok(await views.inThread(ROOM, 'entry-6-xx', 'Carol'), 'carol is in the thread')
  t.notOk(await views.inThread(OTHER, 'entry-7-xx', 'bob'), 'a message without replies has nobody in its thread')
})

t.test('unread: a thread reply counts only for the people in its thread', async (t) => {
  const store = await open(t)
  await store.append(
    entries([
      ...base,
      { type: 'account.created', username: 'dave', password: HASH },
      { type: 'room.joined', room: ROOM, username: 'dave', by: 'dave' },
      { type: 'read.marked', room: ROOM, username: 'dave', seq: 7 },
      { type: 'read.marked', room: ROOM, username: 'alice', seq: 7 },
      say('bob', 'in the thread', { thread: 'entry-6-xx' }),
    ]),
  )
  t.equal((await store.views.readPosition('alice', ROOM)).unread, 1, "the root's author has it unread")
  t.equal((await store.views.readPosition('dave', ROOM)).unread, 0, 'someone outside the thread does not')
})

t.test('links a hostile relay ordered against the rule book land harmlessly, alike everywhere', async (t) => {
  const store = await open(t)
  await store.append(
    entries([
      ...base,
      say('bob', 'reply across rooms', { replyTo: 'entry-7-xx' }), // 8
      say('bob', 'thread across rooms', { thread: 'entry-7-xx' }), // 9
      say('bob', 'thread on nothing', { thread: 'nothing-here' }), // 10
      say('bob', 'a reply', { thread: 'entry-6-xx' }), // 11
      say('carol', 'thread on a thread reply', { thread: 'entry-11-xx' }), // 12
      { type: 'pin.set', room: ROOM, target: 'entry-7-xx', by: 'bob', on: true }, // another room's message
      { type: 'pin.set', room: OTHER, target: 'entry-7-xx', by: 'bob', on: true }, // bob is not in OTHER
    ]),
  )
  const v = store.views
  for (const id of ['entry-8-xx', 'entry-9-xx', 'entry-10-xx', 'entry-12-xx']) {
    const m = await v.q.message(ROOM, id)
    t.notOk(m?.replyTo ?? m?.thread, `${id} keeps no link`)
  }
  t.same(
    (await v.messages(ROOM, 50)).map((m) => m.id),
    ['entry-6-xx', 'entry-8-xx', 'entry-9-xx', 'entry-10-xx', 'entry-12-xx'],
    'messages whose thread did not hold show in the room',
  )
  t.same(await v.pinned(OTHER), [], 'no pin by a non-member')
  t.same(await v.pinned(ROOM), [], "no pin of another room's message")
})

t.test('truncating after any point restores the views of that point exactly (a partition undone)', async (t) => {
  const all = entries([...base, ...changes])
  for (let cut = base.length; cut < all.length; cut++) {
    const store = await Store.open(join(t.testdir(), `db-${cut}`))
    await store.append(all.slice(0, cut))
    const before = await snapshot(store)
    await store.append(all.slice(cut))
    await store.truncateAfter(cut)
    t.same(await snapshot(store), before, `after truncating to entry ${cut}`)
    await store.append(all.slice(cut))
    t.equal((await store.views.q.message(ROOM, 'entry-6-xx'))?.replies?.count, 3, `and applying again ends where it did (${cut})`)
    await store.close()
  }
})
