/**
 * The search thread runs only while there is work: it ends after a while without any, and the
 * next request starts a new one that first reopens the files that were open, so callers see
 * the same databases, set up as they were (their `temp` tables, which end with a connection);
 * an in-memory database keeps it running (its index lives nowhere else).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { IndexDb, SqliteThread, matchExpression, prepare } from '../../../daemon/search/index.js'
import { parseSearchQuery } from '../../../shared/index.js'

const IDLE_MS = 150

async function ended(thread: SqliteThread): Promise<boolean> {
  for (let i = 0; i < 100 && thread.running; i++) await sleep(50)
  return !thread.running
}

async function folder(t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sochat-sqlite-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('an idle thread ends; the next request reopens its files and finds what was written', async (t) => {
  const thread = new SqliteThread(IDLE_MS)
  t.teardown(() => thread.stop())
  t.equal(thread.running, false, 'no worker before the first request')
  await thread.open('disk', join(await folder(t), 'index.sqlite'))
  await thread.batch('disk', [{ sql: 'CREATE TABLE words (w TEXT)' }, { sql: 'INSERT INTO words VALUES (?)', params: ['sunflower'] }])
  t.equal(thread.running, true, 'a worker while there is work')
  t.ok(await ended(thread), 'the worker ends once idle')
  t.same(await thread.all('disk', 'SELECT w FROM words'), [{ w: 'sunflower' }], 'the next request sees the same database')
  t.equal(thread.running, true, 'on a new worker')
})

t.test('a new worker sets each connection up again: its temp tables are there', async (t) => {
  const thread = new SqliteThread(IDLE_MS)
  t.teardown(() => thread.stop())
  const again = ['CREATE TEMP TABLE IF NOT EXISTS scratch (w TEXT)']
  await thread.open('disk', join(await folder(t), 'index.sqlite'), again)
  await thread.batch('disk', [...again.map((sql) => ({ sql })), { sql: 'INSERT INTO temp.scratch VALUES (?)', params: ['first'] }])
  t.ok(await ended(thread), 'the worker ends once idle')
  t.same(
    await thread.batch('disk', [{ sql: 'INSERT INTO temp.scratch VALUES (?)', params: ['second'] }, { sql: 'SELECT w FROM temp.scratch' }]),
    [1, [{ w: 'second' }]],
    'the new connection has the temp table (empty: temp tables are the connection’s own)',
  )
})

t.test('the search index takes new messages and answers prefixes after its worker ended', async (t) => {
  // Found in a chaos run: "SQLite: no such table: temp.fresh" at every write once the worker
  // had ended, so a daemon left idle for 30 s stopped indexing new messages.
  const thread = new SqliteThread(IDLE_MS)
  const index = new IndexDb(thread, 'disk')
  t.teardown(async () => {
    await index.close()
    await thread.stop()
  })
  await index.open(join(await folder(t), 'index.sqlite'))
  const doc = (seq: number, body: string) => ({
    seq,
    id: `m-${seq}`,
    room: 'general',
    author: 'alice',
    ts: seq,
    flags: 0,
    body: prepare(body),
    tags: '',
  })
  await index.write([doc(1, 'sunflower seeds')], [])
  t.ok(await ended(thread), 'the worker ends once idle')
  await index.write([doc(2, 'sunflower fields')], [])
  t.pass('a message written after the worker ended')
  const parsed = parseSearchQuery('sunfl*')
  if (!parsed.ok) throw new Error('the query should parse')
  const match = matchExpression(parsed.query)!
  const hits = await index.search({ ...match, rooms: ['general'], authors: [], flags: 0, sort: 'newest', limit: 10 })
  t.same(
    hits.map((h) => h.seq),
    [2, 1],
    'a prefix finds both messages (its words expanded through the temp tables)',
  )
})

t.test('an open in-memory database keeps the thread running until it is closed', async (t) => {
  const thread = new SqliteThread(IDLE_MS)
  t.teardown(() => thread.stop())
  await thread.open('alice', ':memory:')
  await thread.batch('alice', [{ sql: 'CREATE TABLE words (w TEXT)' }, { sql: 'INSERT INTO words VALUES (?)', params: ['sealed'] }])
  await sleep(IDLE_MS * 4)
  t.equal(thread.running, true, 'still running well past the idle time')
  t.same(await thread.all('alice', 'SELECT w FROM words'), [{ w: 'sealed' }], 'with the in-memory index intact')
  await thread.close('alice')
  t.ok(await ended(thread), 'closed, the thread may end')
})

t.test('a file that cannot be opened again fails the request with why, and the thread stays failed', async (t) => {
  const thread = new SqliteThread(IDLE_MS)
  t.teardown(() => thread.stop())
  const dir = await folder(t)
  await thread.open('disk', join(dir, 'gone', 'index.sqlite')).catch(() => undefined)
  t.equal(
    await thread.all('disk', 'SELECT 1 AS one').catch((err: Error) => err.message),
    'SQLite: no database disk is open',
    'a failed open is not remembered',
  )
  await thread.open('kept', join(dir, 'kept.sqlite'))
  t.ok(await ended(thread))
  await rm(dir, { recursive: true, force: true })
  const refused = await thread.all('kept', 'SELECT 1 AS one').then(
    () => null,
    (err: Error) => err,
  )
  t.match(refused?.message, /could not open kept again/, 'the request is refused, saying which database')
  t.ok(refused?.cause, 'with the cause')
  await t.rejects(thread.all('kept', 'SELECT 1'), /could not open kept again/, 'later requests too')
})

t.test('a stopped thread refuses work', async (t) => {
  const thread = new SqliteThread(IDLE_MS)
  await thread.open('m', ':memory:')
  await thread.stop()
  await t.rejects(thread.all('m', 'SELECT 1'), /stopped/)
  t.equal(thread.running, false)
})
