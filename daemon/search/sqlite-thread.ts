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
 *
 * The worker runs only while there is work (issue 18, idle memory): it starts with the first
 * request, and after IDLE_END_MS without one it closes its databases and ends, giving back
 * about 8 of the ~17 MiB it holds (the rest is better-sqlite3's library, mapped for good).
 * The next request starts a new one, which first reopens the files that were open and runs
 * again what each connection was set up with (its `temp` tables, which live and die with the
 * connection): callers never see the difference. While an in-memory database is open (a person's sealed rooms,
 * sealed.ts) the worker stays, since that index lives nowhere else.
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
  | { op: 'open'; db: string; path: string; again?: string[] }
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
      for (const sql of r.again || []) d.exec(sql)
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

/** How long the worker may wait for work before it ends; a restart costs ~40 ms and no data. */
export const IDLE_END_MS = 30_000

type Answer = { id: number; ok?: unknown; err?: { message: string; code?: string } }

export class SqliteThread {
  #worker: Worker | null = null
  readonly #waiting = new Map<number, Waiting>()
  /** Databases on disk that are open, by name, and their connection's set-up: what a new worker opens first. */
  readonly #files = new Map<string, { path: string; again: string[] }>()
  /** In-memory databases that are open: while there is one, the worker does not end. */
  readonly #inMemory = new Set<string>()
  #next = 0
  #broken: Error | null = null
  #idleTimer: NodeJS.Timeout | null = null

  constructor(private readonly idleEndMs = IDLE_END_MS) {}

  /** Whether a worker is running now (the tests look; nobody else needs to). */
  get running(): boolean {
    return this.#worker !== null
  }

  /**
   * Opens `db`. `again`: what the caller sets a new connection up with (CREATE of `temp`
   * tables) and runs itself after this; a new worker runs it after opening the file again.
   */
  async open(db: string, path: string, again: string[] = []): Promise<void> {
    await this.#send({ op: 'open', db, path })
    if (path === ':memory:') this.#inMemory.add(db)
    else this.#files.set(db, { path, again })
  }

  async close(db: string): Promise<void> {
    this.#files.delete(db)
    this.#inMemory.delete(db)
    if (this.#worker) await this.#send({ op: 'close', db })
  }

  /** Runs the steps in one transaction: a reading step gives its rows, a writing one its change count. */
  batch(db: string, steps: SqlStep[]): Promise<unknown[]> {
    return this.#send({ op: 'batch', db, steps }) as Promise<unknown[]>
  }

  all<T>(db: string, sql: string, params?: SqlParams): Promise<T[]> {
    return this.#send({ op: 'all', db, sql, ...(params === undefined ? {} : { params }) }) as Promise<T[]>
  }

  /** Ends the worker (its databases close with it; WAL content is kept by SQLite); later work is refused. */
  async stop(): Promise<void> {
    this.#broken ??= new Error('the search thread was stopped')
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    const worker = this.#worker
    this.#worker = null
    await worker?.terminate()
  }

  #send(req: Request): Promise<unknown> {
    if (this.#broken) return Promise.reject(this.#broken)
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    this.#idleTimer = null
    const worker = this.#worker ?? this.#start()
    return this.#post(worker, req)
  }

  #post(worker: Worker, req: Request): Promise<unknown> {
    const id = this.#next++
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      worker.ref() // an answer awaited keeps the daemon alive; an idle worker does not
      worker.postMessage({ id, req })
    })
  }

  /** A new worker, with every file that was open opened again before any other work (one queue). */
  #start(): Worker {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { sqlite } })
    this.#worker = worker
    worker.on('message', (answer: Answer) => this.#answered(worker, answer))
    const fail = (err: Error) => {
      if (this.#worker !== worker) return // one that was ended on purpose
      this.#broken = err
      for (const w of this.#waiting.values()) w.reject(err)
      this.#waiting.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the search worker exited (${code})`)))
    // Idle until asked; after the listeners, since attaching a 'message' listener refs it again.
    worker.unref()
    for (const [db, { path, again }] of this.#files) {
      this.#post(worker, { op: 'open', db, path, again }).catch((cause: Error) =>
        fail(new Error(`the search thread could not open ${db} again (${path})`, { cause })),
      )
    }
    return worker
  }

  #answered(worker: Worker, { id, ok, err }: Answer): void {
    const w = this.#waiting.get(id)
    this.#waiting.delete(id)
    if (err) w?.reject(Object.assign(new Error(`SQLite: ${err.message}`), { sqlite: err.code }))
    else w?.resolve(ok)
    if (this.#waiting.size > 0 || this.#worker !== worker) return
    worker.unref()
    this.#idleTimer = setTimeout(() => this.#endIfIdle(), this.idleEndMs)
    this.#idleTimer.unref()
  }

  /**
   * Ends an idle worker. Its databases close with it (better-sqlite3 closes every open one when
   * its thread ends, as stop() relies on too); every write was a committed transaction.
   */
  #endIfIdle(): void {
    const worker = this.#worker
    if (!worker || this.#waiting.size > 0 || this.#inMemory.size > 0) return
    this.#worker = null
    void worker.terminate()
  }
}
