/**
 * A full disk under the store (daemon/store/disk.ts), with the fault injected through a seam:
 * the database's `batch` fails the way LevelDB's does on ENOSPC, sticky until the database is
 * opened again, and statfs says what the test wants. The real thing, on a real tmpfs, is in
 * test/multihost/disk-full.test.ts.
 */
import { join } from 'node:path'
import t from 'tap'
import { DiskFullError, StoreError, isNoSpace } from '../../../daemon/errors/index.js'
import { GENESIS, Store, chainOver } from '../../../daemon/store/index.js'
import type { Entry } from '../../../shared/index.js'

const NODE = '0123456789abcdef'
const message = (seq: number): Entry => ({
  id: `entry-${seq}-msg`,
  ts: 1000 + seq,
  origin: NODE,
  seq,
  term: 1,
  body: { type: 'message.posted', room: 'general', author: 'alice', text: `message ${seq}` },
})

/** LevelDB's error as classic-level hands it over: the OS's words in the text, no errno. */
const levelNoSpace = () => Object.assign(new Error('IO error: /data/db/000026.ldb: No space left on device'), { code: 'LEVEL_IO_ERROR' })

interface Fault {
  /** Batches fail with a full disk's error. */
  full: boolean
  /** The failure stays until the database is closed and opened again (LevelDB's bg_error_). */
  sticky: boolean
  /** The failing batch is written all the same (a synced write whose sync failed). */
  writeAnyway: boolean
  free: number
  reopens: number
}

type T = { testdir: () => string; teardown: (fn: () => unknown) => void }
async function faulty(t: T): Promise<{ store: Store; fault: Fault }> {
  const fault: Fault = { full: false, sticky: false, writeAnyway: false, free: 0, reopens: 0 }
  const store = await Store.open(join(t.testdir(), 'db'), {
    disk: { statfs: async () => ({ bavail: fault.free, bsize: 1 }), retryMs: 3_600_000, idleMs: 3_600_000, roomBytes: 1000 },
  })
  t.teardown(() => store.close())
  const db = store.db as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const batch = db.batch!.bind(store.db)
  db.batch = async (...args: unknown[]) => {
    if (!fault.full) return batch(...args)
    if (fault.writeAnyway) await batch(...args)
    throw Object.assign(new Error('Database write failed'), { code: 'LEVEL_IO_ERROR', cause: levelNoSpace() })
  }
  const close = db.close!.bind(store.db)
  db.close = async (...args: unknown[]) => {
    fault.reopens++
    if (fault.sticky) fault.full = false
    return close(...args)
  }
  return { store, fault }
}

async function logOf(store: Store): Promise<Entry[]> {
  return store.log.range(1, 1000)
}

t.test('isNoSpace knows a full disk, by errno or by LevelDB’s words, anywhere in the cause chain', async (t) => {
  t.ok(isNoSpace(Object.assign(new Error('write failed'), { code: 'ENOSPC' })), 'Node’s ENOSPC')
  t.ok(isNoSpace(new Error('outer', { cause: levelNoSpace() })), 'LevelDB’s IO error, as a cause')
  t.notOk(isNoSpace(new Error('IO error: /data/db/LOCK: Resource temporarily unavailable')), 'another IO error')
  t.notOk(isNoSpace(undefined), 'nothing')
})

t.test('a write refused for lack of space is 507 disk_full in words, and leaves the log as it was', async (t) => {
  const { store, fault } = await faulty(t)
  await store.append([message(1), message(2)])
  fault.full = true
  const err = await store.append([message(3), message(4)]).catch((e: unknown) => e)
  t.type(err, DiskFullError)
  t.match(err, { code: 'disk_full', httpStatus: 507, message: /disk is full.*Nothing already saved is lost.*Free some space/s })
  t.ok(isNoSpace(err), 'the cause is kept')
  t.equal(store.log.head, 2, 'the head did not move')
  t.same(
    (await logOf(store)).map((e) => e.seq),
    [1, 2],
    'nothing of the batch was written',
  )
  t.same(store.disk.state.full, true, 'status says full')
  t.same((await store.views.messages('general', 10)).length, 2, 'reads go on')

  const failed = Object.assign(new Error('Database write failed'), { cause: new Error('IO error: Corruption') })
  fault.full = false
  const db = store.db as unknown as Record<string, () => Promise<unknown>>
  const batch = db.batch
  db.batch = async () => {
    throw failed
  }
  t.match(
    await store.append([message(3)]).catch((e: unknown) => e),
    { constructor: StoreError, code: 'internal' },
    'other failures stay internal',
  )
  db.batch = batch!
})

t.test('a sticky error: the store reopens once there is room, then writes work with no gap and the chain intact', async (t) => {
  const { store, fault } = await faulty(t)
  await store.append([message(1)])
  Object.assign(fault, { full: true, sticky: true })
  await t.rejects(store.append([message(2)]), { code: 'disk_full' })
  await store.disk.look()
  t.equal(store.disk.state.full, true, 'no room yet: still full')
  t.equal(fault.reopens, 0, 'and no reopen while there is no room')
  fault.free = 5000
  await store.disk.look()
  t.equal(fault.reopens, 1, 'the probe failed with room to spare: reopened once')
  t.same(store.disk.state, { full: false, free: 5000 }, 'recovered')
  await store.append([message(2), message(3)])
  const log = await logOf(store)
  t.same(
    log.map((e) => e.seq),
    [1, 2, 3],
    'no gap',
  )
  const chain = chainOver(GENESIS, log)
  t.same(await Promise.all(log.map((e) => store.log.chainAt(e.seq))), chain, 'the hash chain is whole')
})

t.test('an error that is not sticky: the probe goes through and nothing is reopened', async (t) => {
  const { store, fault } = await faulty(t)
  fault.full = true
  await t.rejects(store.append([message(1)]), { code: 'disk_full' })
  Object.assign(fault, { full: false, free: 5000 })
  await store.disk.look()
  t.equal(fault.reopens, 0)
  t.equal(store.disk.state.full, false)
})

t.test('a failed batch that shows up after reopening is taken back into the outbox', async (t) => {
  const { store, fault } = await faulty(t)
  await store.append([message(1)])
  Object.assign(fault, { full: true, writeAnyway: true })
  await t.rejects(store.append([message(2)]), { code: 'disk_full' })
  t.equal(store.log.head, 1)
  // Only a reopen can show it: make the probe fail once more so the store reopens.
  fault.writeAnyway = false
  fault.sticky = true
  fault.free = 5000
  await store.disk.look()
  t.equal(fault.reopens, 1)
  t.same(
    (await logOf(store)).map((e) => e.seq),
    [1],
    'the log is what was acknowledged',
  )
  t.equal(store.log.head, 1)
  t.ok(await store.outbox.get('entry-2-msg'), 'the unacknowledged entry waits in the outbox, to be sent again')
  await store.append([message(2)])
  t.same(
    (await logOf(store)).map((e) => e.id),
    ['entry-1-msg', 'entry-2-msg'],
    'sent again, once',
  )
  t.notOk(await store.outbox.get('entry-2-msg'), 'and no longer waiting')
})

t.test('writes asked for during a reopen wait for it, and none sees a closed database', async (t) => {
  const { store } = await faulty(t)
  await store.append([message(1)])
  const reopening = store.reopen()
  const writes = [store.append([message(2)]), store.write([])]
  await reopening
  await Promise.all(writes)
  t.same(
    (await logOf(store)).map((e) => e.seq),
    [1, 2],
  )
})
