/**
 * The outbox: how anything this machine wants in the log gets there. A submission gets a
 * client-generated id; a durable one (a message) is written to LevelDB before it is sent, so
 * a crash or a lost relay cannot lose it, and it is sent again after every reconnect until it
 * shows up in the log (the relay deduplicates by id). The caller waits for the entry to be in
 * our own replica, which means the relay wrote it first.
 *
 * Must not: know whether we are relay or client; the role sets `route`.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { isErrorCode, type Entry, type EntryBody, type Submission } from '../../shared/index.js'
import { ConflictError, InputError, SochatError, UnavailableError } from '../errors/index.js'
import type { Replica } from '../replica/index.js'
import { del, put, type Store } from '../store/index.js'

export type Route = (submission: Submission) => void

export interface SubmitOptions {
  /** Keep it in the outbox until the relay has it (messages). Otherwise fail when no relay. */
  durable: boolean
  timeoutMs: number
}

export type SubmitResult = { state: 'sent'; entry: Entry } | { state: 'pending'; submission: Submission }

interface Waiter {
  resolve: (result: SubmitResult) => void
  reject: (err: Error) => void
}

export class Outbox {
  #route: Route | null = null
  #waiters = new Map<string, Waiter>()

  constructor(
    private readonly store: Store,
    private readonly replica: Replica,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {
    replica.on('applied', (entries) => {
      for (const entry of entries) this.settle(entry.id, (w) => w.resolve({ state: 'sent', entry }))
    })
  }

  /** Set by the role: where submissions go now, or null while there is no relay. */
  setRoute(route: Route | null): void {
    this.#route = route
    if (route) void this.flush()
  }

  async submit(body: EntryBody, opts: SubmitOptions): Promise<SubmitResult> {
    const submission: Submission = { id: newEntryId(), ts: Date.now(), origin: this.nodeId, body }
    if (!opts.durable && !this.#route) {
      throw new UnavailableError('no_relay', 'No relay is reachable right now, so this cannot be done. Try again in a few seconds.')
    }
    if (opts.durable) await this.store.write([put(this.store.outbox, submission.id, submission)])
    const done = new Promise<SubmitResult>((resolve, reject) => this.#waiters.set(submission.id, { resolve, reject }))
    const timer = setTimeout(() => this.settle(submission.id, (w) => opts.durable
      ? w.resolve({ state: 'pending', submission })
      : w.reject(new UnavailableError('relay_timeout', 'The relay did not confirm in time. Try again; if it says the name is taken, log in.'))), opts.timeoutMs)
    this.#route?.(submission)
    try {
      return await done
    } finally {
      clearTimeout(timer)
    }
  }

  /** The relay refused a submission: it will never be in the log, so stop resending it. */
  async rejected(id: string, code: string, message: string): Promise<void> {
    await this.store.write([del(this.store.outbox, id)])
    const errCode = isErrorCode(code) ? code : 'bad_request'
    const err = errCode === 'username_taken' ? new ConflictError(errCode, message) : new InputError(errCode, message)
    if (!this.settle(id, (w) => w.reject(err))) this.log.warn({ id, code, message }, 'relay rejected a queued submission; dropped it')
  }

  async pending(): Promise<Submission[]> {
    const out: Submission[] = []
    for await (const s of this.store.outbox.values()) out.push(s)
    return out
  }

  /** Sends everything still waiting; called on every new route (reconnect, new relay). */
  async flush(): Promise<void> {
    const route = this.#route
    if (!route) return
    const waiting = await this.pending()
    if (waiting.length > 0) this.log.info({ count: waiting.length }, 'resending outbox')
    for (const s of waiting) route(s)
  }

  /** Fails every caller still waiting (the daemon is stopping). */
  close(): void {
    for (const id of [...this.#waiters.keys()]) {
      this.settle(id, (w) => w.reject(new SochatError('internal', 'The daemon is stopping; try again when it is back.')))
    }
  }

  private settle(id: string, fn: (w: Waiter) => void): boolean {
    const waiter = this.#waiters.get(id)
    if (!waiter) return false
    this.#waiters.delete(id)
    fn(waiter)
    return true
  }
}

export function newEntryId(): string {
  return randomBytes(12).toString('base64url')
}
