/**
 * What indexing costs a replica applying entries (issue 15, "live cost"), in this process: N
 * `message.posted` entries (chat lines of ~8 words) appended through the daemon's `Replica` in
 * batches of 500 (an `entries` frame's size in a catch-up), three ways, interleaved over
 * several rounds so load on the machine falls on each alike:
 * - `off`: no search index (the build before issue 15);
 * - `live`: the index takes each batch as it is applied (live chat);
 * - `backlog`: a relay's welcome announced the backlog, so the index waits for it
 *   (daemon/search/follow.ts) and reads it from the log afterwards.
 * Figures: the apply rate (entries/s until the last batch is in the log, what a person waits
 * for) and, for the two with an index, until the index has every entry too. No signatures are
 * checked here: a real catch-up also verifies each entry (~0.2 ms), so these ratios are the
 * upper bound of indexing's share.
 */
import { join } from 'node:path'
import pino from 'pino'
import type { Entry } from '../shared/index.js'
import { Replica } from '../daemon/replica/index.js'
import { indexAsApplied, Search } from '../daemon/search/index.js'
import { Store } from '../daemon/store/index.js'
import { median } from './lan.js'
import { round, tempDir } from './proc.js'

export type LiveMode = 'off' | 'live' | 'backlog'
export interface LiveCost {
  mode: LiveMode
  entries: number
  /** Medians over the rounds. */
  applyPerS: number
  indexedPerS: number | null
}

const WORDS = 'the meeting moved to thursday because the projector in room four is broken again sorry'.split(' ')
const BATCH = 500

function entriesOf(n: number): Entry[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = i + 1
    const text = `${Array.from({ length: 8 }, (_, k) => WORDS[(seq * 7 + k * 3) % WORDS.length]).join(' ')} #${seq}`
    const body = { type: 'message.posted' as const, room: 'general', author: 'alice', text }
    return { id: `live-${String(seq).padStart(8, '0')}-x`, ts: 1_764_000_000_000 + seq, origin: '0123456789abcdef', seq, term: 1, body }
  })
}

async function once(mode: LiveMode, entries: Entry[]): Promise<{ applyMs: number; indexedMs: number | null }> {
  const tmp = tempDir(`sochat-search-live-${mode}-`)
  const store = await Store.open(join(tmp.dir, 'db'))
  const search = mode === 'off' ? null : await Search.open(tmp.dir, store, pino({ level: 'silent' }))
  try {
    const replica = new Replica(store)
    if (search) indexAsApplied(replica, search.indexer)
    if (mode === 'backlog') replica.expectBacklog(entries.length)
    const start = performance.now()
    for (let i = 0; i < entries.length; i += BATCH) await replica.append(entries.slice(i, i + BATCH))
    const applyMs = performance.now() - start
    if (!search) return { applyMs, indexedMs: null }
    await search.indexer.settled()
    if (search.indexer.seq !== entries.length) throw new Error(`${mode}: the index reached ${search.indexer.seq} of ${entries.length}`)
    return { applyMs, indexedMs: performance.now() - start }
  } finally {
    await search?.close()
    await store.close()
    tmp.remove()
  }
}

export async function searchLiveCost(opts: { entries: number; rounds: number }): Promise<LiveCost[]> {
  const entries = entriesOf(opts.entries)
  const modes: LiveMode[] = ['off', 'live', 'backlog']
  const runs = new Map<LiveMode, { applyMs: number; indexedMs: number | null }[]>(modes.map((m) => [m, []]))
  for (let r = 0; r < opts.rounds; r++) for (const mode of modes) runs.get(mode)!.push(await once(mode, entries))
  const rate = (ms: number) => round(opts.entries / (ms / 1000))
  return modes.map((mode) => {
    const list = runs.get(mode)!
    const indexed = list.map((x) => x.indexedMs).filter((x): x is number => x !== null)
    return {
      mode,
      entries: opts.entries,
      applyPerS: rate(median(list.map((x) => x.applyMs))),
      indexedPerS: indexed.length > 0 ? rate(median(indexed)) : null,
    }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [entries = '20000', rounds = '3'] = process.argv.slice(2)
  console.log(JSON.stringify(await searchLiveCost({ entries: Number(entries), rounds: Number(rounds) }), null, 1))
}
