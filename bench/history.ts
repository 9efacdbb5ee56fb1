/**
 * History: a store of N messages built with the daemon's own Store class (as a replica that
 * has followed the relay for a long time would hold), then a real daemon of the build under
 * test started in-process on it (loopback, mDNS off). Figures: daemon start on that store; the
 * first page of 50 after log-in ("opening the room"); p50/p99 of `requests` more at once, while
 * the daemon builds its search index from the log in the background (the store has none, as
 * after an upgrade); the same once the index is built and the daemon idle, read from this
 * process and then from a reader process of its own (history-reader.ts: a person's page is not
 * in their daemon's process, and read here the bench's fetch and parsing were half of what the
 * daemon's heap collected); and the floor: one LevelDB range read of the 50 newest values of
 * the room, on the same store, with nothing else running. Checked: every page holds the 50
 * newest messages, in order, with the texts that were stored.
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import pino from 'pino'
import type { Entry } from '../shared/index.js'
import type { startDaemon as StartDaemon, resolveConfig as ResolveConfig } from '../daemon/index.js'
import { hashPassword } from '../daemon/accounts/index.js'
import { Store } from '../daemon/store/index.js'
import type { Build } from './build.js'
import { READER_WARM_UP, readNewestPage, readNewestPages, text, type ReaderCmd, type ReaderReport } from './history-page.js'
import { percentile, round, sleep, tempDir } from './proc.js'

export interface Timing {
  p50Ms: number
  p99Ms: number
}

/** The collections of this process (the daemon's heap) while pages were read: what a page's p99 meets. */
export interface GcSeen {
  scavenges: number
  longestScavengeMs: number
  /** Mark-sweep-compacts and incremental marking steps. */
  others: number
  longestOtherMs: number
}

export interface HistoryResult {
  messages: number
  buildS: number
  startMs: number
  firstPageMs: number
  /** While the search index is first built from the log. */
  indexing: Timing & { gc: GcSeen }
  /** Once it is built and the daemon idle (null: not within the time allowed). */
  indexed: (Timing & { gc: GcSeen; waitS: number; idleS: number }) | null
  /**
   * Then the same from a reader process of its own (null: the index was not built in time), with
   * the CPU this process (the daemon alone, then) used per page: less at the mercy of other work
   * on the machine than the times.
   */
  indexedApart: (Timing & { gc: GcSeen; cpuMsPerPage: number }) | null
  /** One LevelDB range read of 50 values, reverse, on the same store. */
  floor: Timing
  requests: number
}

const ORIGIN = 'b0b0b0b0b0b0b0b0'
/** How long the full-size run waits for the search index before giving up on that row. */
const INDEX_WAIT_MS = 30 * 60_000

/** The store the scenario reads: an account and N messages in #general, as a long-followed replica holds them. */
export async function buildHistoryStore(dir: string, messages: number): Promise<void> {
  const store = await Store.open(dir)
  try {
    const password = await hashPassword('bench password')
    const ts = Date.now() - messages * 1000
    await store.append([
      {
        id: randomBytes(12).toString('base64url'),
        ts,
        origin: ORIGIN,
        seq: 1,
        term: 1,
        body: { type: 'account.created', username: 'bench', password },
      },
    ])
    const BATCH = 5000
    for (let first = 2; first <= messages + 1; first += BATCH) {
      const batch: Entry[] = []
      for (let seq = first; seq < Math.min(first + BATCH, messages + 2); seq++) {
        batch.push({
          id: randomBytes(12).toString('base64url'),
          ts: ts + seq * 1000,
          origin: ORIGIN,
          seq,
          term: 1,
          body: { type: 'message.posted', room: 'general', author: 'bench', text: text(seq) },
        })
      }
      await store.append(batch)
    }
  } finally {
    await store.close()
  }
}

const timing = (times: number[]): Timing => ({ p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2) })

/** The daemon of the build under test (its dist/, built in place), so --compare-build compares two builds. */
async function daemonOf(build: Build): Promise<{ startDaemon: typeof StartDaemon; resolveConfig: typeof ResolveConfig }> {
  return import(pathToFileURL(join(build.root, 'dist', 'daemon', 'index.js')).href)
}

/** The floor: the 50 newest values of the room in one range read, straight from LevelDB. */
async function floor(dir: string, requests: number, last: number): Promise<Timing> {
  const store = await Store.open(dir)
  try {
    const times: number[] = []
    for (let i = 0; i < requests; i++) {
      const s = performance.now()
      const values = await store.views.subs.msgs.values({ gt: 'general!', lt: 'general"', reverse: true, limit: 50 }).all()
      times.push(performance.now() - s)
      if (values.length !== 50 || (values[0] as { seq: number }).seq !== last)
        throw new Error('history: the floor read was not the 50 newest')
    }
    return timing(times)
  } finally {
    await store.close()
  }
}

export async function history(opts: { messages: number; requests: number; build: Build }): Promise<HistoryResult> {
  const tmp = tempDir('history')
  try {
    const t0 = performance.now()
    await buildHistoryStore(join(tmp.dir, 'db'), opts.messages)
    const buildS = round((performance.now() - t0) / 1000, 1)
    const { startDaemon, resolveConfig } = await daemonOf(opts.build)
    const t1 = performance.now()
    const config = resolveConfig({ dataDir: tmp.dir, uiPort: '0', peerPort: '0', mdns: false, name: 'bench-history' })
    const daemon = await startDaemon(config, pino({ level: 'silent' }))
    const startMs = Math.round(performance.now() - t1)
    let result: Omit<HistoryResult, 'floor'>
    try {
      const login = await fetch(`${daemon.ui}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'bench password' }),
      })
      if (login.status !== 201) throw new Error(`log-in answered ${login.status}`)
      const { token } = (await login.json()) as { token: string }
      const headers = { authorization: `Bearer ${token}` }
      const last = opts.messages + 1
      const pages = () => gcDuring(async () => timing(await readNewestPages(daemon.ui, headers, last, opts.requests)))
      const firstPageMs = round(await readNewestPage(daemon.ui, headers, last), 1)
      const indexing = await pages()
      const waitS = await indexBuilt(daemon.ui, headers)
      const idleS = waitS === null ? null : await idle()
      const indexed = waitS === null || idleS === null ? null : { ...(await pages()), waitS, idleS }
      const indexedApart =
        indexed === null ? null : await gcDuring(() => pagesApart({ ui: daemon.ui, token, last, requests: opts.requests }))
      result = { messages: opts.messages, buildS, startMs, firstPageMs, indexing, indexed, indexedApart, requests: opts.requests }
    } finally {
      await daemon.stop()
    }
    return { ...result, floor: await floor(join(tmp.dir, 'db'), opts.requests, opts.messages + 1) }
  } finally {
    tmp.remove()
  }
}

/** `run`'s result with the garbage collections this process made meanwhile (a `gc` PerformanceObserver). */
async function gcDuring<T extends object>(run: () => Promise<T>): Promise<T & { gc: GcSeen }> {
  const gc: GcSeen = { scavenges: 0, longestScavengeMs: 0, others: 0, longestOtherMs: 0 }
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const minor = (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR
      if (minor) gc.scavenges++
      else gc.others++
      if (minor) gc.longestScavengeMs = Math.max(gc.longestScavengeMs, round(e.duration, 1))
      else gc.longestOtherMs = Math.max(gc.longestOtherMs, round(e.duration, 1))
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  try {
    const result = await run()
    // Entries are delivered after the collection's task: let the last ones arrive.
    await sleep(50)
    return { ...result, gc }
  } finally {
    observer.disconnect()
  }
}

/**
 * Page reads from a reader process of its own (history-reader.ts), as a person's page reads from
 * another process; and this process's CPU per page meanwhile (the reader's warm-up pages included).
 */
async function pagesApart(cmd: ReaderCmd): Promise<Timing & { cpuMsPerPage: number }> {
  const cpu = process.cpuUsage()
  const times = await readApart(cmd)
  const used = process.cpuUsage(cpu)
  return { ...timing(times), cpuMsPerPage: round((used.user + used.system) / 1000 / (cmd.requests + READER_WARM_UP), 2) }
}

function readApart(cmd: ReaderCmd): Promise<number[]> {
  const reader = fork(new URL('./history-reader.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise<number[]>((resolve, reject) => {
    reader.once('message', (r: ReaderReport) => ('times' in r ? resolve(r.times) : reject(new Error(`history reader: ${r.error}`))))
    reader.once('exit', (code) => reject(new Error(`history: the reader process ended (${code}) before it reported`)))
    reader.once('error', reject)
    reader.send(cmd)
  }).finally(() => {
    if (reader.exitCode === null) reader.kill()
  })
}

/**
 * Seconds until this process (the daemon, its search thread, LevelDB's compactions) used under
 * 10 % of a core over 2 s: at 1,000,000 messages the index's last FTS5 merge and LevelDB's
 * compactions go on for a minute after the index has every entry. Null: not within the time allowed.
 */
async function idle(): Promise<number | null> {
  const t = performance.now()
  while (performance.now() - t < INDEX_WAIT_MS) {
    const before = process.cpuUsage()
    await sleep(2000)
    const used = process.cpuUsage(before)
    if ((used.user + used.system) / 1000 / 2000 < 0.1) return round((performance.now() - t) / 1000, 1)
  }
  return null
}

/** Seconds until the daemon's search index has every entry (its search answers say so), or null. */
async function indexBuilt(ui: string, headers: Record<string, string>): Promise<number | null> {
  const t = performance.now()
  while (performance.now() - t < INDEX_WAIT_MS) {
    const res = await fetch(`${ui}/api/v1/search?q=history`, { headers })
    if (res.status !== 200) throw new Error(`history: search answered ${res.status}`)
    if ((await res.json()).indexing === null) return round((performance.now() - t) / 1000, 1)
    await sleep(1000)
  }
  return null
}
