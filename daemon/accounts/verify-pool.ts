/**
 * Checking many Ed25519 signatures at once, on every core (issue 14: "verification must not
 * slow catch-up to a crawl"). One check costs ~170 µs of CPU here (node:crypto, OpenSSL), so a
 * replica catching up on 100,000 entries spends ~17 s in checks on one thread. A batch from the
 * relay (up to 2,000 entries) is split: a share goes to each worker thread, the rest is checked
 * on this thread meanwhile, and the answers come back in order.
 *
 * The workers hold nothing secret and decide nothing: they answer "valid or not" for (text,
 * public key, signature) triples; what must be signed by whom stays in signatures.ts. They are
 * started on first use, do not keep the daemon alive (unref), and a worker that fails is
 * replaced by checking its share here, so a broken worker costs time, never a wrong answer.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { verify } from 'node:crypto'
import { publicKeyOf } from './keys.js'

/** One signature to check: the signed text, the raw Ed25519 public key and the signature, both base64url. */
export interface SignatureJob {
  text: string
  key: string
  sig: string
}

/** Below this many, handing work to a thread costs more than it saves (~2 ms a round trip). */
const SPLIT_AT = 64

// Plain JavaScript, evaluated by the worker (no loader needed, whether the daemon runs from
// dist/ or from source under tsx). Public keys are parsed once per worker and kept.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const SPKI = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map()
function keyOf(raw) {
  let key = keys.get(raw)
  if (!key) {
    if (keys.size >= 4096) keys.clear()
    key = createPublicKey({ key: Buffer.concat([SPKI, Buffer.from(raw, 'base64url')]), format: 'der', type: 'spki' })
    keys.set(raw, key)
  }
  return key
}
parentPort.on('message', ({ id, jobs }) => {
  const valid = jobs.map((job) => {
    try {
      return verify(null, Buffer.from(job.text, 'utf8'), keyOf(job.key), Buffer.from(job.sig, 'base64url'))
    } catch {
      return false
    }
  })
  parentPort.postMessage({ id, valid })
})
`

const parsed = new Map<string, ReturnType<typeof publicKeyOf>>()

/** Checks one signature on this thread; a malformed key or signature is simply not valid. */
export function verifyHere(job: SignatureJob): boolean {
  try {
    let key = parsed.get(job.key)
    if (!key) {
      if (parsed.size >= 4096) parsed.clear()
      key = publicKeyOf('ed25519', Buffer.from(job.key, 'base64url'))
      parsed.set(job.key, key)
    }
    return verify(null, Buffer.from(job.text, 'utf8'), key, Buffer.from(job.sig, 'base64url'))
  } catch {
    return false
  }
}

interface Waiting {
  resolve: (valid: boolean[]) => void
  reject: (err: Error) => void
}

class VerifyThread {
  readonly #worker: Worker
  readonly #waiting = new Map<number, Waiting>()
  #next = 0
  #broken: Error | null = null

  constructor() {
    // No loader flags: the source is plain JavaScript, and a loader's own threads would keep the daemon alive.
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] })
    this.#worker.on('message', ({ id, valid }: { id: number; valid: boolean[] }) => {
      this.#waiting.get(id)?.resolve(valid)
      this.#waiting.delete(id)
      if (this.#waiting.size === 0) this.#worker.unref()
    })
    const fail = (err: Error) => {
      this.#broken = err
      for (const w of this.#waiting.values()) w.reject(err)
      this.#waiting.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => fail(new Error(`the signature worker exited (${code})`)))
    // Idle until asked; after the listeners, since attaching a 'message' listener refs it again.
    this.#worker.unref()
  }

  get broken(): boolean {
    return this.#broken !== null
  }

  check(jobs: SignatureJob[]): Promise<boolean[]> {
    if (this.#broken) return Promise.reject(this.#broken)
    const id = this.#next++
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      this.#worker.ref() // an answer awaited keeps the daemon alive; an idle worker does not
      this.#worker.postMessage({ id, jobs })
    })
  }
}

let threads: VerifyThread[] | null = null

/**
 * Up to `wanted` workers, at most 3 (a batch is at most 2,000 entries). `verifyAll` leaves one
 * core to this thread; checks sent ahead (`verifyOffThread`) run beside this thread's other
 * work, so they may have every core.
 */
function pool(wanted: number): VerifyThread[] {
  const n = Math.min(3, Math.max(0, wanted))
  if (!threads || threads.length < n || threads.some((t) => t.broken)) {
    threads = (threads ?? []).filter((t) => !t.broken)
    while (threads.length < n) threads.push(new VerifyThread())
  }
  return threads.slice(0, n)
}

/**
 * Whether each signature is valid, in the order given. `onFallback` hears of a worker that
 * failed (its share was then checked here).
 */
export async function verifyAll(jobs: SignatureJob[], onFallback?: (err: Error) => void): Promise<boolean[]> {
  const workers = jobs.length < SPLIT_AT ? [] : pool(availableParallelism() - 1)
  if (workers.length === 0) return jobs.map(verifyHere)
  const share = Math.ceil(jobs.length / (workers.length + 1))
  const sent = workers.map((thread, i) => {
    const part = jobs.slice(share * (i + 1), share * (i + 2))
    return part.length === 0
      ? Promise.resolve([])
      : thread.check(part).catch((err: Error) => {
          onFallback?.(err)
          return part.map(verifyHere)
        })
  })
  const mine = jobs.slice(0, share).map(verifyHere)
  const theirs = await Promise.all(sent)
  return mine.concat(...theirs)
}

/**
 * Whether each signature is valid, checked on worker threads only (one per core), this thread
 * left to other work; null on a machine with one core, where there is no other thread to use.
 * A worker that fails has its share checked here (`onFallback` hears of it).
 */
export function verifyOffThread(jobs: SignatureJob[], onFallback?: (err: Error) => void): Promise<boolean[]> | null {
  const workers = pool(availableParallelism())
  if (workers.length === 0 || availableParallelism() < 2) return null
  const share = Math.ceil(jobs.length / workers.length)
  const sent = workers.map((thread, i) => {
    const part = jobs.slice(share * i, share * (i + 1))
    return part.length === 0
      ? Promise.resolve([])
      : thread.check(part).catch((err: Error) => {
          onFallback?.(err)
          return part.map(verifyHere)
        })
  })
  return Promise.all(sent).then((parts) => parts.flat())
}
