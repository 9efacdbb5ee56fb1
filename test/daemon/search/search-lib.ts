/** A store with entries written straight into it, and a search over it, for the search tests. */
import { join } from 'node:path'
import pino from 'pino'
import type { Entry, FileRef } from '../../../shared/index.js'
import { parseSearchQuery } from '../../../shared/index.js'
import { Search, type SearchAsk } from '../../../daemon/search/index.js'
import { Store } from '../../../daemon/store/index.js'

export const NODE = '0123456789abcdef'
type T = { testdir: () => string; teardown: (fn: () => unknown) => void }

export class Fixture {
  seq = 0
  constructor(
    readonly dir: string,
    readonly store: Store,
    public search: Search,
  ) {}

  static async open(t: T): Promise<Fixture> {
    const dir = t.testdir()
    const store = await Store.open(join(dir, 'db'))
    const f = new Fixture(dir, store, await Search.open(dir, store, pino({ level: 'silent' })))
    t.teardown(async () => {
      await f.search.close()
      await store.close()
    })
    f.seq = store.log.head
    return f
  }

  /** Appends entries as the replica would, and tells the indexer, as daemon.ts wires it. */
  async add(...bodies: Entry['body'][]): Promise<Entry[]> {
    const entries = bodies.map((body) => {
      const seq = ++this.seq
      return { id: `entry-${String(seq).padStart(4, '0')}-x`, ts: Date.UTC(2026, 10, 1) + seq * 60_000, origin: NODE, seq, term: 1, body }
    })
    const fresh = await this.store.append(entries)
    this.search.indexer.applied(fresh)
    await this.search.indexer.settled()
    return fresh
  }

  async post(text: string, author = 'alice', room = 'general', files?: FileRef[]): Promise<Entry> {
    const [e] = await this.add({ type: 'message.posted', room, author, text, ...(files ? { files } : {}) })
    return e!
  }

  async truncateAfter(seq: number): Promise<void> {
    const removed = await this.store.truncateAfter(seq)
    this.seq = seq
    this.search.indexer.truncated(removed)
    await this.search.indexer.settled()
  }

  /** The texts a query finds for `who`, newest first. */
  async find(q: string, who = 'alice', more: Partial<SearchAsk> = {}): Promise<string[]> {
    return (await this.answer(q, who, more)).results.map((r) => r.message.text)
  }

  async answer(q: string, who = 'alice', more: Partial<SearchAsk> = {}) {
    const parsed = parseSearchQuery(q)
    if (!parsed.ok) throw new Error(`${q}: ${parsed.error.code}`)
    return this.search.search(who, { query: parsed.query, limit: 50, sort: 'newest', ...more }, async (m) => {
      const { sealed: _s, ...rest } = m
      return rest
    })
  }
}
