/**
 * Pages of a room's history read only what they return (daemon/store/pages.ts), and still
 * return what a walk of the whole room would: at the edges (an empty room, a room of exactly
 * one page), across before/after cursors, past thread-only replies, with edited and deleted
 * messages as the views hold them, and pages larger than one native read.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Entry, EntryBody, Message, PasswordHash } from '../../../shared/index.js'
import { readHere, Store, UNREAD_COUNT_MAX } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const ROOM = 'r-abcdefghijkl'
const EMPTY = 'r-mnopqrstuvwx'

const say = (text: string, more: Partial<Extract<EntryBody, { type: 'message.posted' }>> = {}): EntryBody => ({
  type: 'message.posted',
  room: ROOM,
  author: 'alice',
  text,
  ...more,
})

type T = { testdir: () => string; teardown: (fn: () => unknown) => void }
async function storeWith(t: T, bodies: EntryBody[]): Promise<{ store: Store; entries: Entry[] }> {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const head: EntryBody[] = [
    { type: 'account.created', username: 'alice', password: HASH },
    { type: 'account.created', username: 'bob', password: HASH },
    { type: 'room.created', room: ROOM, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice', 'bob'] },
    { type: 'room.created', room: EMPTY, kind: 'public', name: 'quiet', topic: '', creator: 'alice', members: ['alice', 'bob'] },
  ]
  const entries = [...head, ...bodies].map((body, i) => ({
    id: `entry-${i + 1}-xx`,
    ts: 5000 + i,
    origin: NODE,
    seq: i + 1,
    term: 1,
    body,
  }))
  await store.append(entries)
  return { store, entries }
}

const texts = (ms: Message[]) => ms.map((m) => m.text)
const numbered = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `m${from + i}`)

t.test('an empty room has empty pages both ways', async (t) => {
  const { store } = await storeWith(t, [say('only in the other room')])
  t.same(await store.views.messages(EMPTY, 50), [], 'no newest page')
  t.same(await store.views.messages(EMPTY, 50, 3), [], 'no page before a cursor')
  t.same(await store.views.messagesAfter(EMPTY, 50, 0), [], 'no page after the start')
})

t.test('a room of exactly one page: all of it, and nothing before its oldest', async (t) => {
  const { store } = await storeWith(
    t,
    numbered(50).map((s) => say(s)),
  )
  const page = await store.views.messages(ROOM, 50)
  t.same(texts(page), numbered(50), 'the 50 messages, oldest first')
  t.same(await store.views.messages(ROOM, 50, page[0]!.seq), [], 'nothing older')
  t.same(texts(await store.views.messagesAfter(ROOM, 50, 0)), numbered(50), 'the same page read forward')
  t.same(await store.views.messagesAfter(ROOM, 50, page[49]!.seq), [], 'nothing newer')
})

t.test('paging back and forward with cursors gives each timeline message once, in order', async (t) => {
  // 120 messages; every fifth one has a thread-only reply after it, and one reply goes to the room too.
  const bodies: EntryBody[] = []
  for (let i = 1; i <= 120; i++) {
    bodies.push(say(`m${i}`))
    if (i % 5 === 0) bodies.push(say(`reply to m${i}`, { thread: `entry-${4 + bodies.length}-xx` }))
  }
  bodies.push(say('a reply sent to the room too', { thread: 'entry-5-xx', alsoInRoom: true }))
  const { store } = await storeWith(t, bodies)
  const timeline = [...numbered(120), 'a reply sent to the room too']

  const newest = await store.views.messages(ROOM, 50)
  t.same(texts(newest), timeline.slice(-50), 'the newest page: 50 timeline messages, thread-only replies left out')

  const back: string[] = []
  for (let before: number | undefined; ; ) {
    const page = await store.views.messages(ROOM, 17, before)
    if (page.length === 0) break
    back.unshift(...texts(page))
    before = page[0]!.seq
  }
  t.same(back, timeline, 'pages of 17 back from the newest')

  const forward: string[] = []
  for (let after = 0; ; ) {
    const page = await store.views.messagesAfter(ROOM, 17, after)
    if (page.length === 0) break
    forward.push(...texts(page))
    after = page[page.length - 1]!.seq
  }
  t.same(forward, timeline, 'pages of 17 forward from the start')

  const json = async (limit: number, before?: number) => (await store.views.messagesJson(ROOM, limit, before)).map((m) => JSON.parse(m))
  t.same(await json(50), newest, 'the newest page as stored JSON: the same messages')
  t.same(await json(17, newest[10]!.seq), await store.views.messages(ROOM, 17, newest[10]!.seq), 'and before a cursor')

  const m80 = newest.find((m) => m.text === 'm80')!
  t.same(texts(await store.views.messages(ROOM, 3, m80.seq)), ['m77', 'm78', 'm79'], 'before a cursor: the 3 just older')
  t.same(texts(await store.views.messagesAfter(ROOM, 3, m80.seq)), ['m81', 'm82', 'm83'], 'after a cursor: the 3 just newer')
})

t.test('a page as stored JSON decodes only what names a thread, and a text naming the key is no reply', async (t) => {
  const { store } = await storeWith(t, [
    say('the root'), // 5
    say('in the thread only', { thread: 'entry-5-xx' }),
    say('to the room too', { thread: 'entry-5-xx', alsoInRoom: true }),
    say('a text with "thread": in it'),
  ])
  const page = await store.views.messagesJson(ROOM, 50)
  t.same(
    page.map((m) => (JSON.parse(m) as Message).text),
    ['the root', 'to the room too', 'a text with "thread": in it'],
    'thread-only left out, the rest in order',
  )
  t.same(
    page,
    (await store.views.messages(ROOM, 50)).map((m) => JSON.stringify(m)),
    'each the JSON of the decoded message',
  )
})

t.test('edited and deleted messages are in a page as the views hold them', async (t) => {
  const { store } = await storeWith(t, [
    say('first'), // 5
    say('typo'), // 6
    say('regret'), // 7
    { type: 'message.edited', room: ROOM, target: 'entry-6-xx', author: 'alice', text: 'fixed' },
    { type: 'message.deleted', room: ROOM, target: 'entry-7-xx', author: 'alice' },
  ])
  const page = await store.views.messages(ROOM, 50)
  t.same(
    page.map((m) => [m.seq, m.text, Boolean(m.deleted)]),
    [
      [5, 'first', false],
      [6, 'fixed', false],
      [7, '', true],
    ],
    'the edit is shown, the deleted one is kept as deleted',
  )
  t.same(texts(await store.views.messagesAfter(ROOM, 50, 4)), texts(page), 'the same forward')
})

t.test('a page larger than one native read (16 KiB) is still whole', async (t) => {
  const long = (i: number) => `m${i} ${'x'.repeat(4000)}`
  const { store } = await storeWith(
    t,
    Array.from({ length: 60 }, (_, i) => say(long(i + 1))),
  )
  const page = await store.views.messages(ROOM, 50)
  t.equal(page.length, 50, '50 messages of 4 KB each')
  t.same(
    texts(page),
    Array.from({ length: 50 }, (_, i) => long(i + 11)),
    'the newest 50, in order',
  )
  t.equal((await store.views.messagesAfter(ROOM, 55, 0)).length, 55, 'and forward')
})

t.test('unread counting walks in batches and stops at the cap', async (t) => {
  const many = UNREAD_COUNT_MAX + 300
  const bodies = Array.from({ length: many }, (_, i) => say(i === 700 ? 'ping @bob' : `m${i}`))
  const { store } = await storeWith(t, bodies)
  const read = await store.views.readPosition('bob', ROOM)
  t.equal(read.unread, UNREAD_COUNT_MAX, `${many} unread are counted as ${UNREAD_COUNT_MAX}`)
  t.equal(read.mentions, 1, 'the mention past the first batch is found')
  t.equal((await store.views.readPosition('alice', ROOM)).unread, 0, "one's own messages are never unread")
})

t.test('messages by id come in the order asked, undefined where an id is no message of that room', async (t) => {
  const { store } = await storeWith(t, [say('one'), say('two'), { type: 'message.posted', room: EMPTY, author: 'bob', text: 'elsewhere' }])
  const found = await store.views.messagesByIds([
    { room: ROOM, id: 'entry-6-xx' },
    { room: ROOM, id: 'no-such-entry' },
    { room: ROOM, id: 'entry-7-xx' },
    { room: ROOM, id: 'entry-1-xx' },
    { room: EMPTY, id: 'entry-5-xx' },
    { room: EMPTY, id: 'entry-7-xx' },
  ])
  t.same(
    found.map((m) => m?.text),
    ['two', undefined, undefined, undefined, undefined, 'elsewhere'],
    "found in its own room only: not by another room's id, an unknown id or an entry that is no message",
  )
  t.same(await store.views.messagesByIds([]), [], 'nothing asked, nothing read')
})

t.test('small records read on this thread answer as the thread pool does', async (t) => {
  const { store } = await storeWith(t, [])
  const subs = store.views.subs
  for (const [sub, key] of [
    ['users', 'alice'],
    ['users', 'nobody'],
    ['rooms', ROOM],
    ['rooms', 'r-nonexistent00'],
    ['members', `${ROOM}!bob`],
  ] as const)
    t.same(await readHere(subs[sub], key), await subs[sub].get(key), `${sub} ${key}`)
})
