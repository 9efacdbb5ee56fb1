/**
 * SQLite (better-sqlite3) on a thread of its own. better-sqlite3 is synchronous: a batch of a
 * thousand inserts, or a query over a million rows, would stop the daemon's event loop (the
 * link, the relay's fan-out, the page) for as long as it runs. So the databases live in one
 * worker_threads worker, and this thread sends it work and awaits the answers.
 *
 * The worker is a thin, generic host: it opens databases by name (a file, or ':memory:'),
 * runs SQL it is given with parameters, in one transaction per batch, and keeps prepared
 * statements. What the SQL says lives in typed TypeScript on this side (index-db.ts). Its
 * source is plain JavaScript evaluated by the worker, as daemon/accounts/verify-pool.ts does,
 * so it runs the same from dist/ and from source under tsx; better-sqlite3 is found by its
 * resolved path. Work is answered in the order sent (one thread, one queue).
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export type SqlParams = Record<string, unknown> | unknown[]

export interface SqlStep {
  sql: string
  params?: SqlParams
  /** Run the statement once per row instead (a bulk write: one message to the thread, one statement). */
  rows?: unknown[][]
}

type Request =
  | { op: 'open'; db: string; path: string }
  | { op: 'close'; db: string }
  | { op: 'batch'; db: string; steps: SqlStep[] }
  | { op: 'all'; db: string; sql: string; params?: SqlParams }

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const dbs = new Map()
function db(name) {
  const d = dbs.get(name)
  if (!d) throw new Error('no database ' + name + ' is open')
  return d
}
function stmt(d, sql) {
  let s = d.cache.get(sql)
  if (!s) { s = d.db.prepare(sql); d.cache.set(sql, s) }
  return s
}
function args(p) { return p === undefined ? [] : [p] }
function handle(r) {
  switch (r.op) {
    case 'open': {
      if (dbs.has(r.db)) return null
      const d = new Database(r.path)
      d.pragma('temp_store = MEMORY') // expand.ts tokenizes through temp tables at every write
      if (r.path !== ':memory:') { d.pragma('journal_mode = WAL'); d.pragma('synchronous = NORMAL') }
      dbs.set(r.db, { db: d, cache: new Map() })
      return null
    }
    case 'close': {
      const d = dbs.get(r.db)
      if (d) { d.db.close(); dbs.delete(r.db) }
      return null
    }
    case 'batch': {
      const d = db(r.db)
      const results = []
      d.db.transaction(() => {
        for (const s of r.steps) {
          const st = stmt(d, s.sql)
          if (s.rows) {
            let n = 0
            for (const row of s.rows) n += st.run(...row).changes
            results.push(n)
            continue
          }
          results.push(st.reader ? st.all(...args(s.params)) : st.run(...args(s.params)).changes)
        }
      })()
      return results
    }
    case 'all':
      return stmt(db(r.db), r.sql).all(...args(r.params))
  }
}
parentPort.on('message', ({ id, req }) => {
  try {
    parentPort.postMessage({ id, ok: handle(req) })
  } catch (err) {
    parentPort.postMessage({ id, err: { message: String(err && err.message), code: err && err.code } })
  }
})
`

interface Waiting {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

export class SqliteThread {
  readonly #worker: Worker
  readonly #waiting = new Map<number, Waiting>()
  #next = 0
  #broken: Error | null = null

  constructor() {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { sqlite } })
    this.#worker.on('message', ({ id, ok, err }: { id: number; ok?: unknown; err?: { message: string; code?: string } }) => {
      const w = this.#waiting.get(id)
      this.#waiting.delete(id)
      if (err) w?.reject(Object.assign(new Error(`SQLite: ${err.message}`), { sqlite: err.code }))
      else w?.resolve(ok)
      if (this.#waiting.size === 0) this.#worker.unref()
    })
    const fail = (err: Error) => {
      this.#broken = err
      for (const w of this.#waiting.values()) w.reject(err)
      this.#waiting.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => fail(new Error(`the search worker exited (${code})`)))
    this.#worker.unref()
  }

  open(db: string, path: string): Promise<void> {
    return this.#send({ op: 'open', db, path }) as Promise<void>
  }

  close(db: string): Promise<void> {
    return this.#send({ op: 'close', db }) as Promise<void>
  }

  /** Runs the steps in one transaction: a reading step gives its rows, a writing one its change count. */
  batch(db: string, steps: SqlStep[]): Promise<unknown[]> {
    return this.#send({ op: 'batch', db, steps }) as Promise<unknown[]>
  }

  all<T>(db: string, sql: string, params?: SqlParams): Promise<T[]> {
    return this.#send({ op: 'all', db, sql, ...(params === undefined ? {} : { params }) }) as Promise<T[]>
  }

  /** Ends the worker (its databases close with it; WAL content is kept by SQLite). */
  async stop(): Promise<void> {
    await this.#worker.terminate()
  }

  #send(req: Request): Promise<unknown> {
    if (this.#broken) return Promise.reject(this.#broken)
    const id = this.#next++
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      this.#worker.ref() // an answer awaited keeps the daemon alive; an idle worker does not
      this.#worker.postMessage({ id, req })
    })
  }
}
