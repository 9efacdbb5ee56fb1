/**
 * The search thread runs only while there is work: it ends after a while without any, and the
 * next request starts a new one that first reopens the files that were open, so callers see
 * the same databases; an in-memory database keeps it running (its index lives nowhere else).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { SqliteThread } from '../../../daemon/search/index.js'

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
