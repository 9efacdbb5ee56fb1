/**
 * The store: an ordered log with no gaps, views updated in the same write, checkpoints for the
 * handshake, truncation that keeps what it removes, and a database only one daemon may own.
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry, PasswordHash } from '../../../shared/index.js'
import { StoreError } from '../../../daemon/errors/index.js'
import { Store, outboxOrder } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }

const account = (seq: number, username: string): Entry => ({
  id: `entry-${seq}-acct`,
  ts: 1000 + seq,
  origin: NODE,
  seq,
  term: 1,
  body: { type: 'account.created', username, password: HASH },
})
const message = (seq: number, text = `message ${seq}`, author = 'alice'): Entry => ({
  id: `entry-${seq}-msg`,
  ts: 1000 + seq,
  origin: NODE,
  seq,
  term: 1,
  body: { type: 'message.posted', room: 'general', author, text },
})

type T = { testdir: () => string; teardown: (fn: () => unknown) => void }
async function open(t: T, dir = join(t.testdir(), 'db')): Promise<Store> {
  const store = await Store.open(dir)
  t.teardown(() => store.close())
  return store
}
/** Seq numbers of the room's messages, as the view returns them. */
async function seqs(store: Store, limit = 500, before?: number): Promise<number[]> {
  return (await store.views.messages('general', limit, before)).map((m) => m.seq)
}

t.test('a new store is empty', async (t) => {
  const store = await open(t)
  t.equal(store.log.head, 0)
  t.same(await store.log.checkpoints(), [], 'no checkpoints without entries')
  t.same(await seqs(store), [])
  t.equal(await store.views.account('alice'), undefined)
})

t.test('entries are appended in order, without gaps', async (t) => {
  const store = await open(t)
  const first = await store.append([account(1, 'alice'), message(2)])
  t.same(
    first.map((e) => e.seq),
    [1, 2],
    'both are new',
  )
  t.equal(store.log.head, 2)
  t.same(await store.log.get(2), message(2), 'an entry reads back as written')
  t.equal(await store.log.seqOf('entry-2-msg'), 2, 'and is found by id')

  const replay = await store.append([account(1, 'alice'), message(2), message(3)])
  t.same(
    replay.map((e) => e.seq),
    [3],
    'a replayed batch only adds what is new',
  )
  t.same(await store.append([message(2)]), [], 'a batch of old entries adds nothing')
  t.equal(store.log.head, 3)

  await t.rejects(store.append([message(5)]), StoreError, 'a gap is refused')
  await t.rejects(
    store.append([message(4)].concat(message(6))),
    { message: /gap: expected entry 5, got 6/i },
    'a gap inside a batch is refused, saying where',
  )
  t.equal(store.log.head, 3, 'a refused batch leaves the head')
  t.equal(await store.log.get(4), undefined, 'and writes nothing, not even the entries before the gap')
  t.same(
    (await store.log.range(1, 100)).map((e) => e.seq),
    [1, 2, 3],
    'the log is 1..3',
  )
})

t.test('views: accounts by name regardless of case, messages newest last', async (t) => {
  const store = await open(t)
  await store.append([account(1, 'Alice'), ...Array.from({ length: 10 }, (_, i) => message(i + 2, `m${i + 2}`))])
  for (const name of ['Alice', 'alice', 'ALICE', 'aLiCe']) {
    t.match(await store.views.account(name), { username: 'Alice', password: HASH, createdSeq: 1 }, `found as ${name}`)
  }
  t.equal(await store.views.account('alic'), undefined, 'a prefix is not a match')

  t.same(await seqs(store), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'all messages, oldest first, newest last')
  t.same(await seqs(store, 3), [9, 10, 11], 'a limit keeps the newest')
  t.same(await seqs(store, 2, 5), [3, 4], 'before pages back: the newest below it')
  t.same(await seqs(store, 50, 2), [], 'nothing is before the first')
  t.same(await seqs(store, 50, 1000), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'before beyond the head is everything')
  const m = (await store.views.messages('general', 1))[0]
  t.same(m, { id: 'entry-11-msg', seq: 11, room: 'general', author: 'alice', text: 'm11', ts: 1011 }, 'a message has its fields')
  t.same(await store.views.messages('random', 50), [], 'another room has nothing')
})

t.test('checkpoints: head, then back at doubling distances, and the first entry', async (t) => {
  const store = await open(t)
  await store.append([account(1, 'alice')])
  t.same(await store.log.checkpoints(), [{ seq: 1, id: 'entry-1-acct' }], 'one entry: one checkpoint')
  await store.append(Array.from({ length: 99 }, (_, i) => message(i + 2)))
  const cps = await store.log.checkpoints()
  t.same(
    cps.map((c) => c.seq),
    [100, 99, 98, 96, 92, 84, 68, 36, 1],
    'head - 0, 1, 2, 4, ..., 64, then 1',
  )
  for (const cp of cps) t.equal(cp.id, (await store.log.get(cp.seq))!.id, `checkpoint ${cp.seq} names its entry`)
})

t.test('truncateAfter moves removed entries to the outbox and reverts their views', async (t) => {
  const store = await open(t)
  await store.append([account(1, 'alice'), message(2), account(3, 'bob'), message(4, 'from bob', 'bob'), message(5)])
  const removed = await store.truncateAfter(2)
  t.same(
    removed.map((e) => e.seq),
    [3, 4, 5],
    'the entries after 2 are removed',
  )
  t.equal(store.log.head, 2, 'the head is 2')
  t.equal(await store.log.get(3), undefined, 'entry 3 is gone from the log')
  t.equal(await store.log.seqOf('entry-4-msg'), undefined, 'and from the id index')
  t.equal(await store.views.account('bob'), undefined, 'bob’s account is reverted')
  t.ok(await store.views.account('alice'), 'alice’s is kept')
  t.same(await seqs(store), [2], 'only the message at 2 remains')

  const outbox: Record<string, unknown> = {}
  for await (const [id, s] of store.outbox.iterator()) outbox[id] = s
  t.same(Object.keys(outbox).sort(), ['entry-3-acct', 'entry-4-msg', 'entry-5-msg'], 'all three are in the outbox')
  const { seq: _s, term: _t, ...submission } = message(4, 'from bob', 'bob')
  t.same(
    outbox['entry-4-msg'],
    { order: outboxOrder(1004, 4), submission },
    'as submissions, without seq and term, ordered by their time and old seq',
  )

  t.same(await store.truncateAfter(2), [], 'truncating again removes nothing')
  await store.append([{ ...message(5), seq: 3 }])
  t.equal(store.log.head, 3, 'the log continues after the cut')
  t.equal(await store.outbox.get('entry-5-msg'), undefined, 'an entry back in the log leaves the outbox')
})

t.test('everything survives close and reopen', async (t) => {
  const dir = join(t.testdir(), 'db')
  const first = await Store.open(dir)
  await first.append([account(1, 'alice'), message(2, 'hello 👋 <b>x</b>'), message(3)])
  await first.truncateAfter(2)
  await first.close()

  const store = await open(t, dir)
  t.equal(store.log.head, 2, 'the head is found again')
  t.ok(await store.views.account('ALICE'), 'the account view is back')
  t.same(
    (await store.views.messages('general', 10)).map((m) => m.text),
    ['hello 👋 <b>x</b>'],
    'the text is byte-identical',
  )
  t.ok(await store.outbox.get('entry-3-msg'), 'the outbox is kept')
  t.same(
    (await store.append([message(3, 'again')])).map((e) => e.seq),
    [3],
    'appending resumes at the head',
  )
})

t.test('a database in use by another daemon gives a clear error', async (t) => {
  const dir = join(t.testdir(), 'db')
  await open(t, dir)
  const second = Store.open(dir)
  await t.rejects(second, StoreError, 'the second open fails with a StoreError')
  await second.catch((err: StoreError) => {
    t.match(err.message, /in use by another SO-CHAT daemon/, 'saying it is in use')
    t.match(err.message, dir, 'naming the folder')
    t.match(err.message, /--data-dir/, 'and what to do')
  })
})
