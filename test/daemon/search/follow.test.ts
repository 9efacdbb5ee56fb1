/**
 * The index follows the replica: live batches at once; a backlog announced by a relay's
 * welcome only once it is applied (or its link is gone), then read from the log, so catching
 * up runs as fast as it would without an index.
 */
import { join } from 'node:path'
import pino from 'pino'
import t, { type Test } from 'tap'
import { type Entry, parseSearchQuery } from '../../../shared/index.js'
import { Replica } from '../../../daemon/replica/index.js'
import { indexAsApplied, Search } from '../../../daemon/search/index.js'
import { Store } from '../../../daemon/store/index.js'
import { NODE } from './search-lib.js'

async function setUp(t: Test) {
  const dir = t.testdir()
  const store = await Store.open(join(dir, 'db'))
  const search = await Search.open(dir, store, pino({ level: 'silent' }))
  t.teardown(async () => {
    await search.close()
    await store.close()
  })
  const replica = new Replica(store)
  indexAsApplied(replica, search.indexer)
  let seq = 0
  const batch = (n: number, word: string): Entry[] =>
    Array.from({ length: n }, () => {
      seq++
      const body = { type: 'message.posted' as const, room: 'general', author: 'alice', text: `${word} number ${seq}` }
      return { id: `entry-${String(seq).padStart(5, '0')}-x`, ts: Date.UTC(2026, 10, 1) + seq, origin: NODE, seq, term: 1, body }
    })
  const found = async (word: string) => {
    const parsed = parseSearchQuery(word)
    if (!parsed.ok) throw new Error(`${word}: ${parsed.error.code}`)
    const answer = await search.search('alice', { query: parsed.query, limit: 100, sort: 'newest' }, async (m) => {
      const { sealed: _sealed, ...rest } = m
      return rest
    })
    return answer.results.length
  }
  return { store, search, replica, batch, found }
}

t.test('a live batch is indexed as it is applied', async (t) => {
  const { search, replica, batch, found } = await setUp(t)
  await replica.append(batch(3, 'meadow'))
  await search.indexer.settled()
  t.equal(search.indexer.seq, 3, 'the index is at the head')
  t.equal(await found('meadow'), 3)
})

t.test('a backlog is applied first and indexed once it is, with progress meanwhile', async (t) => {
  const { search, replica, batch, found } = await setUp(t)
  await replica.append(batch(2, 'before'))
  await search.indexer.settled()
  replica.expectBacklog(2 + 3 * 1500)
  t.ok(replica.catchingUp, 'the welcome announced a backlog')
  let caughtUp = 0
  replica.on('caughtUp', () => caughtUp++)
  for (let i = 0; i < 2; i++) await replica.append(batch(1500, 'backlog'))
  await search.indexer.settled()
  t.equal(search.indexer.seq, 2, 'nothing of the backlog was indexed while it was applied')
  t.same(search.indexer.progress(), { done: 2, total: 3002 }, 'the search box can say "still indexing: 2 of 3002"')
  t.equal(caughtUp, 0)
  await replica.append(batch(1500, 'backlog'))
  t.equal(caughtUp, 1, 'the last batch reached the welcome head')
  t.notOk(replica.catchingUp)
  await search.indexer.settled()
  t.equal(search.indexer.seq, 4502, 'then the whole backlog was indexed from the log')
  t.equal(await found('backlog'), 100, 'and is found (a page of 100)')
  await replica.append(batch(1, 'afterwards'))
  await search.indexer.settled()
  t.equal(await found('afterwards'), 1, 'live batches are indexed again at once')
})

t.test('a link gone in the middle of a backlog does not leave the index behind', async (t) => {
  const { search, replica, batch, found } = await setUp(t)
  replica.expectBacklog(5000)
  await replica.append(batch(10, 'partial'))
  await search.indexer.settled()
  t.equal(search.indexer.seq, 0, 'held back while catching up')
  replica.expectBacklog(0)
  t.notOk(replica.catchingUp)
  await search.indexer.settled()
  t.equal(search.indexer.seq, 10, 'indexed once the link that announced the backlog is gone')
  t.equal(await found('partial'), 10)
})
