/**
 * Search (daemon/search): N deterministic chat messages (a Zipf vocabulary of Latin words with
 * some accents, Cyrillic and Greek; lognormal lengths, a median of ~8 words; 2% with a link,
 * 3% with an emoji; 50 rooms, 200 authors, both skewed) indexed through the daemon's own
 * path: docOf (tokens.ts) on this thread, then batches of 2,000 into the SQLite FTS5 index on
 * the search thread. Figures: build rate, file size, RSS growth of the process (both threads),
 * and query latency p50/p99 (the round trip to the search thread included) for a rare word,
 * a common word, a prefix, a phrase, and a common word filtered by from: + in:; and `grep
 * -c -w` over the same texts in a file as the floor (it counts, it does not rank or page).
 */
import { spawnSync } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseSearchQuery } from '../shared/index.js'
import { docOf, IndexDb, matchExpression, type SearchDoc, SqliteThread } from '../daemon/search/index.js'
import { percentile, round, tempDir } from './proc.js'

export interface SearchBench {
  messages: number
  buildPerS: number
  /** Where the build's time went (s): docOf on this thread, the writes on the search thread, the docs indexes at the end. */
  stages: { docOf: number; write: number; indexes: number }
  /** FTS5 'optimize' after the build: its segments merged into one. */
  optimizeS: number
  fileMiB: number
  rssGrowthMiB: number
  queries: { name: string; q: string; p50: number; p99: number; hits: number }[]
  grepMs: number
}

export function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function vocabulary(size: number, r: () => number): string[] {
  const scripts = ['abcdefghijklmnopqrstuvwxyz', 'абвгдежзиклмнопрстуфхцчшщыэюя', 'αβγδεζηθικλμνξοπρστυφχψω']
  const words = new Set<string>()
  while (words.size < size) {
    const script = r() < 0.9 ? scripts[0]! : r() < 0.6 ? scripts[1]! : scripts[2]!
    const len = 3 + Math.floor(r() * r() * 11)
    let w = ''
    for (let i = 0; i < len; i++)
      w += script === scripts[0] && r() < 0.03 ? 'éèàüöçñ'[Math.floor(r() * 7)] : script[Math.floor(r() * script.length)]
    words.add(w)
  }
  return [...words]
}

/** The corpus, as messages the index takes. */
export function* corpus(n: number): Generator<Parameters<typeof docOf>[0]> {
  const r = rng(11)
  const vocab = vocabulary(50_000, rng(7))
  const cdf = new Float64Array(vocab.length)
  let sum = 0
  for (let i = 0; i < vocab.length; i++) cdf[i] = sum += 1 / (i + 1) ** 1.07
  const pick = () => {
    const x = r() * sum
    let lo = 0
    let hi = vocab.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return vocab[lo]!
  }
  const gauss = () => Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r())
  const t0 = Date.UTC(2026, 0, 1)
  for (let i = 0; i < n; i++) {
    const words: string[] = []
    for (let k = Math.max(1, Math.round(Math.exp(2.1 + 0.7 * gauss()))); k > 0; k--) words.push(pick())
    if (r() < 0.02) words.push(`https://example.org/${pick()}`)
    if (r() < 0.03) words.push('🎉')
    const room = `r-room${String(Math.floor(r() * r() * 50)).padStart(8, '0')}`
    yield { seq: i + 1, id: `m${i + 1}`, room, author: `user${Math.floor(r() * r() * 200)}`, ts: t0 + i * 30_000, text: words.join(' ') }
  }
}

export async function searchBench(opts: { messages: number; runs: number }): Promise<SearchBench> {
  const tmp = tempDir('search')
  const thread = new SqliteThread()
  const db = new IndexDb(thread, 'bench')
  try {
    const file = join(tmp.dir, 'search.sqlite')
    await db.open(file)
    await db.reset() // as the indexer's rebuild: `docs` without its indexes until the end
    const rssBefore = process.memoryUsage().rss
    // The clock runs for docOf and the writes only: generating the corpus is not the index's work.
    let docOfMs = 0
    let writeMs = 0
    const generated = corpus(opts.messages)
    for (let done = 0; done < opts.messages; ) {
      const messages: Parameters<typeof docOf>[0][] = []
      for (let r = generated.next(); !r.done; r = generated.next()) if (messages.push(r.value) === 2000) break
      let t = performance.now()
      const batch: SearchDoc[] = messages.map(docOf)
      docOfMs += performance.now() - t
      done += messages.length
      t = performance.now()
      await db.write(batch, [], { seq: done, chain: '' })
      writeMs += performance.now() - t
    }
    let t = performance.now()
    await db.settle(false) // the two indexes of `docs`
    const indexesMs = performance.now() - t
    const buildS = (docOfMs + writeMs + indexesMs) / 1000
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20
    t = performance.now()
    await db.settle(true)
    const optimizeS = (performance.now() - t) / 1000
    await thread.batch('bench', [{ sql: 'PRAGMA wal_checkpoint(TRUNCATE)' }])
    const fileMiB = statSync(file).size / 2 ** 20
    const rooms = Array.from({ length: 50 }, (_, i) => `r-room${String(i).padStart(8, '0')}`)
    const vocab = vocabulary(50_000, rng(7))
    const common = vocab[3]!
    const rare = vocab[40_000]!
    const asks = [
      { name: 'rare word', q: rare },
      { name: 'common word', q: common },
      { name: 'prefix', q: vocab[20]!.slice(0, 3) },
      { name: 'phrase', q: `"${vocab[0]} ${vocab[1]}"` },
      { name: 'filtered (from: + in:)', q: `${common} from:user3 in:r-room00000002` },
    ]
    const queries: SearchBench['queries'] = []
    for (const a of asks) {
      const parsed = parseSearchQuery(a.q)
      if (!parsed.ok) throw new Error(`${a.q}: ${parsed.error.code}`)
      const match = matchExpression(parsed.query)!
      const inRooms = parsed.query.in.length > 0 ? parsed.query.in : rooms
      const times: number[] = []
      let hits = 0
      for (let i = 0; i < opts.runs; i++) {
        const t = performance.now()
        const narrowed = parsed.query.in.length > 0 ? { narrowed: inRooms } : {}
        hits = (await db.search({ ...match, rooms: inRooms, ...narrowed, authors: parsed.query.from, flags: 0, sort: 'newest', limit: 20 }))
          .length
        times.push(performance.now() - t)
      }
      queries.push({ name: a.name, q: a.q, p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2), hits })
    }
    const textFile = join(tmp.dir, 'texts.txt')
    writeFileSync(textFile, Array.from(corpus(opts.messages), (m) => m.text).join('\n'))
    const grepTimes: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      spawnSync('grep', ['-c', '-i', '-w', rare, textFile])
      grepTimes.push(performance.now() - t)
    }
    return {
      messages: opts.messages,
      buildPerS: Math.round(opts.messages / buildS),
      stages: { docOf: round(docOfMs / 1000, 1), write: round(writeMs / 1000, 1), indexes: round(indexesMs / 1000, 1) },
      optimizeS: round(optimizeS, 1),
      fileMiB: round(fileMiB, 1),
      rssGrowthMiB: round(rssGrowthMiB),
      queries,
      grepMs: round(percentile(grepTimes, 50), 1),
    }
  } finally {
    await db.close()
    await thread.stop()
    tmp.remove()
  }
}

/** The `search` scenario of `npm run bench`: 1,000,000 messages (100,000 with --quick). */
export async function searchScenario(ctx: {
  quick: boolean
  row: (r: [string, string]) => void
  note: (n: string) => void
}): Promise<void> {
  const s = await searchBench({ messages: ctx.quick ? 100_000 : 1_000_000, runs: ctx.quick ? 50 : 200 })
  const n = s.messages.toLocaleString('en')
  ctx.row([`search index build, ${n} messages (SQLite FTS5 on its own thread)`, `**${s.buildPerS} msg/s** (goal ≥ 20,000)`])
  const st = s.stages
  ctx.row([
    `where the build's time went`,
    `docOf ${st.docOf} s, writes on the search thread ${st.write} s, \`docs\` indexes at the end ${st.indexes} s`,
  ])
  ctx.row([`merging the index after the build (FTS5 \`optimize\`)`, `**${s.optimizeS} s**`])
  ctx.row([`search index size on disk, ${n} messages`, `**${s.fileMiB} MiB**`])
  ctx.row([`RSS growth while building it (both threads)`, `**${s.rssGrowthMiB} MiB** (goal < 150)`])
  for (const q of s.queries) {
    ctx.row([`search, ${q.name} (\`${q.q}\`), newest 20, ${n} messages`, `p50 **${q.p50} ms**, p99 **${q.p99} ms** (${q.hits} results)`])
  }
  ctx.row([`floor: \`grep -c -i -w\` of the rare word over the same texts`, `**${s.grepMs} ms**`])
}
