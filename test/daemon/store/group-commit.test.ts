/**
 * Group commit (daemon/store/group-commit.ts): writes asked while one is on the disk share the
 * next synced batch; each caller is answered only once its batch is durable; a batch that fails
 * fails every caller in it and leaves nothing of it behind; what the batch answered survives a
 * restart.
 */
import { join } from 'node:path'
import t from 'tap'
import { StoreError } from '../../../daemon/errors/index.js'
import { GroupCommit, put, Store, type Op } from '../../../daemon/store/index.js'
import { countBatches } from '../../lib/batches.js'

/** A write that waits to be let through, one at a time, and remembers each batch it got. */
function gatedWrite() {
  const batches: Op[][] = []
  const gates: (() => void)[] = []
  const fails = new Set<number>()
  const write = (ops: Op[]) => {
    const n = batches.push(ops) - 1
    return new Promise<void>((resolve, reject) => {
      gates.push(() => (fails.has(n) ? reject(new StoreError('Writing to the database failed; the change was not saved.')) : resolve()))
    })
  }
  /** Lets the oldest write finish, then gives the queue a turn to start the next one. */
  const release = async () => {
    gates.shift()?.()
    await new Promise((r) => setImmediate(r))
  }
  return { batches, fails, write, release }
}

const op = (key: string): Op => ({ type: 'put', key, value: key }) as unknown as Op

t.test('writes asked while one is on the disk go together in the next batch, in the order asked', async (t) => {
  const disk = gatedWrite()
  const group = new GroupCommit(disk.write)
  const answered: string[] = []
  const ask = (key: string) => group.commit([op(key)]).then(() => answered.push(key))
  const all = [ask('a'), ...['b', 'c', 'd'].map(ask)]
  await new Promise((r) => setImmediate(r))
  t.same(
    disk.batches.map((b) => b.length),
    [1],
    'the first write goes alone, at once',
  )
  await disk.release()
  t.same(answered, ['a'], 'its caller is answered once its batch is durable, the others are not yet')
  t.same(
    disk.batches.map((b) => b.map((o) => o.key)),
    [['a'], ['b', 'c', 'd']],
    'the three that waited share the second batch, in the order asked',
  )
  await disk.release()
  await Promise.all(all)
  t.same(answered, ['a', 'b', 'c', 'd'])
})

t.test('a failed batch fails every caller in it with the store error; the next batch is written', async (t) => {
  const disk = gatedWrite()
  disk.fails.add(1)
  const group = new GroupCommit(disk.write)
  const first = group.commit([op('a')])
  const doomed = Promise.allSettled([group.commit([op('b')]), group.commit([op('c')])])
  await disk.release()
  await first
  await disk.release()
  const outcomes = await doomed
  t.match(
    outcomes,
    [
      { status: 'rejected', reason: { code: 'internal', message: /not saved/ } },
      { status: 'rejected', reason: { code: 'internal', message: /not saved/ } },
    ],
    'both callers of the failed batch get its error, with its stable code',
  )
  const later = group.commit([op('d')])
  await disk.release()
  await t.resolves(later, 'the queue goes on after a failure')
})

t.test('a store: many commits at once are few synced batches, and all of them are there after a restart', async (t) => {
  const dir = join(t.testdir(), 'db')
  const store = await Store.open(dir)
  const batches = countBatches(store)
  const keys = Array.from({ length: 64 }, (_, i) => `k${String(i).padStart(3, '0')}`)
  await Promise.all(keys.map((k) => store.commit([put(store.meta, k, k)])))
  t.ok(batches() <= 3, `64 commits asked at once were written in ${batches()} batches`)
  await store.close()
  const again = await Store.open(dir)
  t.teardown(() => again.close())
  t.same(await again.meta.getMany(keys), keys, 'every answered commit is on the disk after the restart')
})

t.test('a store: one batch lands whole or not at all, whoever asked for its parts', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  await store.commit([put(store.meta, 'before', 1)])
  // Two callers share a batch; the second's op is one LevelDB refuses (no key).
  const shared = [store.commit([put(store.meta, 'mine', 1)]), store.commit([put(store.meta, undefined as unknown as string, 1)])]
  const outcomes = await Promise.allSettled(shared)
  t.match(
    outcomes,
    [
      { status: 'rejected', reason: { code: 'internal' } },
      { status: 'rejected', reason: { code: 'internal' } },
    ],
    'both callers are told the batch failed',
  )
  t.equal(await store.meta.get('mine'), undefined, 'nothing of the failed batch was written')
  t.equal(await store.meta.get('before'), 1, 'what was written before is still there')
})

t.test('a burst larger than one batch takes (500 ops) is written in several, in order, none split', async (t) => {
  const disk = gatedWrite()
  const group = new GroupCommit(disk.write)
  const all = Promise.all(Array.from({ length: 1201 }, (_, i) => group.commit([op(`k${i}`)])))
  for (let i = 0; i < 4; i++) await disk.release()
  await all
  t.same(
    disk.batches.map((b) => b.length),
    [1, 500, 500, 200],
    'the first alone, then batches of at most 500',
  )
  t.same(
    disk.batches.flat().map((o) => o.key),
    Array.from({ length: 1201 }, (_, i) => `k${i}`),
    'in the order asked',
  )
  // While a primer is on the disk, 499 ops and then 2 wait: 501 would be over the bound.
  const waiting = Promise.all([
    group.commit([op('primer')]),
    group.commit(Array.from({ length: 499 }, (_, i) => op(`f${i}`))),
    group.commit([op('x'), op('y')]),
  ])
  for (let i = 0; i < 3; i++) await disk.release()
  await waiting
  t.same(
    disk.batches.slice(-3).map((b) => b.length),
    [1, 499, 2],
    "a caller's ops are never split across batches",
  )
})
