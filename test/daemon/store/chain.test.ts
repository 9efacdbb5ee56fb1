/**
 * chain(seq) (shared/chain.ts) is written with each entry in the same batch, taken back with
 * it on truncation, and computed at open for a log written before the chain existed. It
 * depends on every byte of every entry before it, including seq, term and the signature.
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry } from '../../../shared/index.js'
import { chainOver, chainStep, GENESIS, Store } from '../../../daemon/store/index.js'
import { seqKey } from '../../../daemon/store/keys.js'

const HASH = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) } as const

function entries(n: number, from = 1, prefix = 'e'): Entry[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = from + i
    const base = { id: `${prefix}-${String(seq).padStart(8, '0')}`, ts: 1_000 + seq, origin: '0123456789abcdef', seq, term: 1 }
    return seq === 1
      ? { ...base, body: { type: 'account.created', username: 'alice', password: HASH } }
      : { ...base, body: { type: 'message.posted', room: 'general', author: 'alice', text: `message ${seq}` } }
  })
}

t.test('the chain is defined by every byte of every entry, in order', async (t) => {
  const log = entries(3)
  const values = chainOver(GENESIS, log)
  t.equal(values.length, 3)
  t.equal(values[0], chainStep(GENESIS, log[0]!), 'chain(1) from chain(0) and entry 1')
  t.match(GENESIS, /^[0-9a-f]{64}$/)
  const variants: [string, Entry][] = [
    ['its term', { ...log[1]!, term: 2 }],
    ['its text', { ...log[1]!, body: { type: 'message.posted', room: 'general', author: 'alice', text: 'message 3' } }],
    ['a signature', { ...log[1]!, sig: 'x' }],
  ]
  for (const [what, changed] of variants)
    t.not(chainOver(GENESIS, [log[0]!, changed, log[2]!])[2], values[2], `changing ${what} of entry 2 changes chain(3)`)
  const reordered = { ...log[1]! }
  t.equal(
    chainOver(GENESIS, [log[0]!, Object.fromEntries(Object.entries(reordered).reverse()) as Entry, log[2]!])[2],
    values[2],
    'key order does not matter (RFC 8785)',
  )
})

t.test('an old entry with a lone surrogate has a chain too, unlike any entry with a canonical form', async (t) => {
  const [first, second] = entries(2)
  const lone = { ...second!, body: { type: 'message.posted', room: 'general', author: 'alice', text: 'half \ud83d' } } as Entry
  const spelled = { ...second!, body: { type: 'message.posted', room: 'general', author: 'alice', text: 'half \\ud83d' } } as Entry
  const values = chainOver(GENESIS, [first!, lone])
  t.match(values[1], /^[0-9a-f]{64}$/, 'no throw: the relay’s batch and an old log’s open do not fail on it')
  t.not(values[1], chainOver(GENESIS, [first!, spelled])[1], 'and it is not the entry that spells the escape out')
})

t.test('append writes chain(seq) with each entry; truncation takes it back', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const log = entries(10)
  const values = chainOver(GENESIS, log)
  await store.append(log.slice(0, 4))
  await store.append(log.slice(4))
  t.equal(store.log.chainHead, values[9], 'the head’s chain in memory')
  for (const seq of [0, 1, 5, 10]) t.equal(await store.log.chainAt(seq), seq === 0 ? GENESIS : values[seq - 1], `chain(${seq})`)
  t.equal(await store.log.chainAt(11), undefined, 'none past the head')
  await store.truncateAfter(6)
  t.equal(store.log.chainHead, values[5], 'after truncation, chain(6) is the head’s')
  t.equal(await store.log.chains.get(seqKey(7)), undefined, 'chain(7) went with entry 7')
  const other = entries(2, 7, 'x')
  await store.append(other)
  t.equal(store.log.chainHead, chainOver(values[5]!, other)[1], 'a new entry 7 chains from chain(6)')
})

t.test('a follower’s chain values are reused only for the very batch, on top of the head', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const log = entries(6)
  const right = chainOver(GENESIS, log)
  await store.append(log.slice(0, 2))
  // Values offered for other objects (equal in content, not the batch that is appended): ignored.
  store.log.offerChain(
    right[1]!,
    log.slice(2, 4).map((e) => ({ ...e })),
    ['0'.repeat(64), '1'.repeat(64)],
  )
  await store.append(log.slice(2, 4))
  t.equal(store.log.chainHead, right[3], 'computed afresh')
  // Offered on top of another head: ignored.
  const batch = log.slice(4)
  store.log.offerChain(GENESIS, batch, ['2'.repeat(64), '3'.repeat(64)])
  await store.append(batch)
  t.equal(store.log.chainHead, right[5], 'computed afresh')
  // The very batch on top of the head: reused (the wrong values show that they were).
  await store.truncateAfter(4)
  store.log.offerChain(right[3]!, batch, ['4'.repeat(64), '5'.repeat(64)])
  await store.append(batch)
  t.equal(store.log.chainHead, '5'.repeat(64), 'taken as offered, not hashed again')
})

t.test('a log from before the chain gets its chain at open, and resumes it after a crash', async (t) => {
  const dir = join(t.testdir(), 'db')
  // Several chunks of the computation at open (bench/RESULTS.md has the time for 100,000).
  const n = 12_000
  let store = await Store.open(dir)
  for (let from = 1; from <= n; from += 5000) await store.append(entries(5000, from))
  const want = store.log.chainHead
  // As an older SO-CHAT left it: entries and views, no chain.
  await store.log.chains.clear()
  await store.close()
  store = await Store.open(dir)
  t.teardown(() => store.close())
  t.equal(store.log.chainHead, want, 'the same chain as appending made')
  t.equal(await store.log.chainAt(5_321), await chainAtFromScratch(store, 5_321), 'and every value on the way')
  // Half done (a crash mid-way): the rest is computed, from where it stopped.
  await store.log.chains.clear({ gt: seqKey(6_000) })
  await store.close()
  store = await Store.open(dir)
  t.equal(store.log.chainHead, want, 'resumed where it stopped')
})

async function chainAtFromScratch(store: Store, seq: number): Promise<string> {
  return chainOver(GENESIS, await store.log.range(1, seq)).at(-1)!
}
