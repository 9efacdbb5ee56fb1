/**
 * The outbox: how anything this machine wants in the log gets there. A submission gets a
 * client-generated id; a durable one (a message) is written to LevelDB before it is sent, so
 * a crash or a lost relay cannot lose it, and it is sent again on every new route (reconnect,
 * new relay) until it shows up in the log (the relay deduplicates by id). All durable sends go
 * through one pump that reads the outbox in submission order, so a sender's messages reach the
 * relay in the order they were written, even across a failover. The caller waits for the entry
 * to be in our own replica, which means the relay wrote it first.
 *
 * Must not: know whether we are relay or client; the role sets `route`.
 */
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { isErrorCode, type Entry, type EntryBody, type ErrorCode, type Offer, type Signable, type Submission } from '../../shared/index.js'
import { errorFor, SochatError, UnavailableError } from '../errors/index.js'
import type { Replica } from '../replica/index.js'
import { del, outboxOrder, put, type Store } from '../store/index.js'

export type Route = (submission: Submission) => void

/**
 * Sends an `offer` (shared/frames.ts) on the current route: the files a submission is about to
 * push to the relay, which takes no others. Resolves once it is written to the link.
 */
export type OfferFiles = (offer: Omit<Offer, 'type'>) => Promise<void>

export interface SubmitOptions {
  /**
   * Keep it in the outbox until the relay has it (messages). Otherwise (a sign-up, a new room)
   * it waits for a relay for up to `timeoutMs` and fails if none comes.
   */
  durable: boolean
  timeoutMs: number
  /**
   * Signs it as the person making it (daemon/accounts/signer.ts), once it has its id, time and
   * origin; kept with it in the outbox, so a resend after a failover carries the signature.
   * None for an account from before account keys.
   */
  signer?: ((s: Signable) => string) | null
}

export type SubmitResult = { state: 'sent'; entry: Entry } | { state: 'pending'; submission: Submission }

export interface OutboxEvents {
  /** The relay refused a queued submission; it is gone from the outbox. */
  failed: [submission: Submission, code: ErrorCode, message: string]
}

interface Waiter {
  resolve: (result: SubmitResult) => void
  reject: (err: Error) => void
}

export class Outbox extends EventEmitter<OutboxEvents> {
  #route: Route | null = null
  #offer: OfferFiles | null = null
  #waiters = new Map<string, Waiter>()
  /** Ids already handed to the current route; cleared when the route changes. */
  #sent = new Set<string>()
  #counter = 0
  /**
   * Durable submissions written since the last pump took them, in the order written: the next
   * pump sends these without reading the outbox again. Reading all of it on every post cost
   * O(outbox) a post (0.17 ms with 32 posts in flight; issue 18, bench/README.md).
   */
  #written: Array<{ order: string; submission: Submission }> = []
  /**
   * The next pump reads the whole outbox: at start (what an earlier run left), after the route
   * changed, and after anything was taken out of a pump unsent (a failed prepare, a transient
   * refusal, a failed read), so nothing waits for a later post to be sent.
   */
  #readAll = true
  #pumping: Promise<void> | null = null
  #again = false
  #retry: NodeJS.Timeout | null = null
  /** Callers of a non-durable submit waiting for a relay to be chosen; woken by setRoute and close. */
  #routeWaiters = new Set<() => void>()
  #closed = false

  constructor(
    private readonly store: Store,
    replica: Replica,
    private readonly nodeId: string,
    private readonly log: Logger,
    /**
     * Runs before a submission is sent (a message's files are offered on the route, then pushed
     * to the relay); a failure leaves it queued.
     */
    private readonly prepare: (submission: Submission, offer: OfferFiles | null) => Promise<void> = async () => undefined,
  ) {
    super()
    replica.on('applied', (entries) => {
      for (const entry of entries) {
        this.#sent.delete(entry.id)
        this.settle(entry.id, (w) => w.resolve({ state: 'sent', entry }))
      }
    })
  }

  /**
   * Set by the role: where submissions go now, or null while there is no relay; `offer` on a
   * link to a relay elsewhere (a relay's own submissions need no offer).
   */
  setRoute(route: Route | null, offer: OfferFiles | null = null): void {
    this.#route = route
    this.#offer = route ? offer : null
    this.#sent.clear()
    this.#readAll = true
    if (route) {
      this.wakeRouteWaiters()
      this.kick()
    }
  }

  async submit(body: EntryBody, opts: SubmitOptions): Promise<SubmitResult> {
    const startedAt = Date.now()
    // No relay yet (a daemon's first seconds, while it looks for others; an election after a
    // relay died): what cannot wait in the outbox waits here for one, within its own time.
    if (!opts.durable && !this.#route && !(await this.routeWithin(opts.timeoutMs))) {
      if (this.#closed) throw stopping()
      throw new UnavailableError(
        'no_relay',
        `No relay was found in ${Math.round(opts.timeoutMs / 1000)} s, so this cannot be done now. Is another SO-CHAT machine switched off, or this one cut off from the network? Try again in a moment.`,
      )
    }
    const unsigned: Submission = { id: newEntryId(), ts: Date.now(), origin: this.nodeId, body }
    const submission: Submission = opts.signer ? { ...unsigned, sig: opts.signer(unsigned) } : unsigned
    const timeoutMs = Math.max(1, opts.timeoutMs - (Date.now() - startedAt))
    if (opts.durable) {
      // Submissions made at the same moment share one synced write (Store.commit).
      const order = outboxOrder(submission.ts, this.#counter++)
      await this.store.commit([put(this.store.outbox, submission.id, { order, submission })])
      this.#written.push({ order, submission })
    }
    const done = new Promise<SubmitResult>((resolve, reject) => this.#waiters.set(submission.id, { resolve, reject }))
    const timer = setTimeout(
      () =>
        this.settle(submission.id, (w) =>
          opts.durable
            ? w.resolve({ state: 'pending', submission })
            : w.reject(
                new UnavailableError(
                  'relay_timeout',
                  'The relay did not confirm in time. Try again; if it says the name is taken, log in.',
                ),
              ),
        ),
      timeoutMs,
    )
    // With no relay at all (an election is on), say "pending" now rather than after the wait.
    if (opts.durable && !this.#route) this.settle(submission.id, (w) => w.resolve({ state: 'pending', submission }))
    if (opts.durable) this.kick()
    else this.#route?.(submission)
    try {
      return await done
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * The relay refused a submission. A refusal on its merits (a taken name, an unknown author)
   * is final: it leaves the outbox. A refusal because of the relay's own state (stepping down,
   * a failed write) is not: it stays queued and goes to whichever relay comes next.
   */
  async rejected(id: string, code: string, message: string): Promise<void> {
    if (TRANSIENT.has(code)) {
      this.#sent.delete(id)
      this.#readAll = true
      this.log.warn({ id, code, message }, 'the relay could not take a submission now; it stays queued')
      // Nothing else will change for this one (same relay, same route): try again shortly.
      if (RETRY_LATER.has(code)) this.retryLater()
      return
    }
    const item = await this.store.outbox.get(id)
    await this.store.write([del(this.store.outbox, id)])
    const errCode: ErrorCode = isErrorCode(code) ? code : 'bad_request'
    const err = errorFor(errCode, message)
    if (item) {
      this.log.warn({ id, code, message }, 'the relay refused a queued submission; it is dropped')
      this.emit('failed', item.submission, errCode, message)
    }
    this.settle(id, (w) => w.reject(err))
  }

  /** Everything waiting, in submission order. */
  async pending(): Promise<Submission[]> {
    return inOrder(await this.store.outbox.values().all()).map((i) => i.submission)
  }

  /**
   * What the pump may send, in submission order: what was written since the last pump, and the
   * whole outbox when #readAll says so. A submission written while the outbox is read may be in
   * both; it is taken once.
   */
  private async toSend(): Promise<Submission[]> {
    const written = this.#written
    this.#written = []
    if (!this.#readAll) return written.map((w) => w.submission)
    this.#readAll = false
    const stored = await this.store.outbox.values().all()
    const ids = new Set(stored.map((i) => i.submission.id))
    return inOrder([...stored, ...written.filter((w) => !ids.has(w.submission.id))]).map((i) => i.submission)
  }

  /** Fails every caller still waiting (the daemon is stopping). */
  close(): void {
    this.#closed = true
    this.#route = null
    if (this.#retry) clearTimeout(this.#retry)
    this.wakeRouteWaiters()
    for (const id of [...this.#waiters.keys()]) {
      this.settle(id, (w) => w.reject(stopping()))
    }
  }

  /** Whether a route is set now or within `ms` (false too when the outbox closes meanwhile). */
  private async routeWithin(ms: number): Promise<boolean> {
    if (this.#route) return true
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.#routeWaiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.#routeWaiters.add(wake)
    })
    return this.#route !== null
  }

  private wakeRouteWaiters(): void {
    for (const wake of [...this.#routeWaiters]) wake()
  }

  /** One pump in RETRY_MS, however many submissions asked for it (a refused backlog asks once each). */
  private retryLater(): void {
    if (this.#retry) return
    this.#retry = setTimeout(() => {
      this.#retry = null
      this.kick()
    }, RETRY_MS)
    this.#retry.unref()
  }

  /** Runs the pump, or asks it to run once more if it is running (it may have read too early). */
  private kick(): void {
    if (this.#pumping) {
      this.#again = true
      return
    }
    this.#pumping = this.pump()
      .catch((err) => {
        this.#readAll = true
        this.log.error({ err }, 'reading the outbox failed; will retry on the next change')
      })
      .finally(() => {
        this.#pumping = null
        if (this.#again) {
          this.#again = false
          this.kick()
        }
      })
  }

  private async pump(): Promise<void> {
    const route = this.#route
    if (!route) return
    const unsent = (await this.toSend()).filter((s) => !this.#sent.has(s.id))
    // Read after the outbox: what was written to the log meanwhile (and left #sent) is not sent
    // again. Without this, under a steady stream a third of what reached the relay were repeats.
    const logged = await this.store.log.seqsOf(unsent.map((s) => s.id))
    if (route !== this.#route) return // the route changed while we read; the new one re-pumps
    let count = 0
    for (const [i, s] of unsent.entries()) {
      if (this.#sent.has(s.id) || logged[i] !== undefined) continue
      try {
        await this.prepare(s, this.#offer)
      } catch (err) {
        // Later submissions wait too: a sender's messages reach the relay in order.
        this.log.warn({ err, id: s.id }, 'could not prepare a queued submission; it stays queued and is tried again')
        this.#readAll = true
        this.retryLater()
        break
      }
      if (route !== this.#route) return
      this.#sent.add(s.id)
      route(s)
      count++
    }
    if (count > 1) this.log.info({ count }, 'sent queued submissions')
  }

  private settle(id: string, fn: (w: Waiter) => void): boolean {
    const waiter = this.#waiters.get(id)
    if (!waiter) return false
    this.#waiters.delete(id)
    fn(waiter)
    return true
  }
}

function inOrder<T extends { order: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
}

function stopping(): SochatError {
  return new SochatError('internal', 'The daemon is stopping; try again when it is back.')
}

/** How soon a submission held back by a missing file, or a relay's budget, is tried again. */
const RETRY_MS = 2000
/**
 * Refusals that say nothing about the submission itself: it stays queued. A code missing
 * here drops a queued message, so a new code a relay may answer with belongs here unless it
 * is about the submission's content. `file_not_offered`: the relay found no offer of a file
 * for this submission (it expired, or a flood of offers pushed it out); offering it again,
 * which the next send does, cures it. `rate_limited`: a relay over its budget for this link
 * (daemon/relay/limits.ts) — today's relays close the link instead, an older or newer one
 * may refuse. `disk_full`: the relay's disk is full; it takes writes again by itself once
 * space is freed (daemon/store/disk.ts), so the submission is tried again every RETRY_MS.
 */
export const TRANSIENT: ReadonlySet<string> = new Set([
  'internal',
  'not_relay',
  'no_relay',
  'relay_timeout',
  'file_unavailable',
  'file_not_offered',
  'rate_limited',
  'busy',
  'disk_full',
])
/** Transient refusals that a new route does not cure: tried again after RETRY_MS on the same one. */
const RETRY_LATER = new Set(['file_unavailable', 'file_not_offered', 'rate_limited', 'busy', 'disk_full'])

export function newEntryId(): string {
  return randomBytes(12).toString('base64url')
}
