/**
 * Submissions on their way to the sequencer at the pace their budgets allow (limits.ts): each
 * source (a link, or the relay's own pages) has a queue; a submission within its machine's and
 * its account's budgets goes at once, one over them is held and goes, in the order sent, when
 * a timer says its turn has come. The budgets themselves are kept here by machine key and by
 * account for as long as this relay runs, so a link that closes and opens again, or an account
 * posting from several machines, finds what it spent still spent.
 *
 * Apart from relay.ts because it is the one part of the relay that runs on timers of its own.
 */
import type { Logger } from 'pino'
import { actorOf, type Submission } from '../../shared/index.js'
import {
  ACCOUNT_LIMITS,
  AllowanceBook,
  HeldSubmissions,
  HOLD_LIMITS,
  MACHINE_LIMITS,
  type Clock,
  type HoldLimits,
  type Offer,
  type SubmitLimits,
} from './limits.js'

export interface PacingLimits {
  /** Per machine (its key), across its links. */
  machine: SubmitLimits
  /** Per account, across machines. */
  account: SubmitLimits
  /** Per link: held past this, the link is closed. */
  hold: HoldLimits
  now: Clock
}

export const PACING_LIMITS: PacingLimits = { machine: MACHINE_LIMITS, account: ACCOUNT_LIMITS, hold: HOLD_LIMITS, now: Date.now }

/** A held source is logged at most this often. */
const HELD_LOG_MS = 60_000

export class Pacing {
  readonly #machines: AllowanceBook
  readonly #accounts: AllowanceBook

  constructor(
    private readonly limits: PacingLimits,
    private readonly log: Logger,
  ) {
    this.#machines = new AllowanceBook(limits.machine, limits.now)
    this.#accounts = new AllowanceBook(limits.account, limits.now)
  }

  /**
   * A queue for one source. `machine`: the link's machine key, or null for the relay's own
   * (no machine budget, accounts only). `go` hands an item on to be ordered; `active` says
   * whether held items may still go (not while the relay hands over or once the link closed).
   * `context` names the source in the logs.
   */
  queue<T>(
    machine: string | null,
    submissionOf: (item: T) => Submission,
    go: (item: T) => void,
    active: () => boolean,
    context: Record<string, unknown>,
  ): SubmitQueue<T> {
    const budget = new HeldSubmissions<T>(this.limits.hold, machine === null ? null : () => this.#machines.of(machine), (item) =>
      this.#accounts.of(actorOf(submissionOf(item).body)),
    )
    return new SubmitQueue(budget, go, active, this.limits.now, this.log, context)
  }
}

export class SubmitQueue<T> {
  #timer: NodeJS.Timeout | null = null
  #loggedAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly budget: HeldSubmissions<T>,
    private readonly go: (item: T) => void,
    private readonly active: () => boolean,
    private readonly now: Clock,
    private readonly log: Logger,
    private readonly context: Record<string, unknown>,
  ) {}

  get held(): number {
    return this.budget.held
  }

  /** Goes now, or is held for its turn; 'over' when there is no room to hold it (the caller closes the link). */
  submit(item: T, bytes: number): Offer {
    const offer = this.budget.offer(item, bytes)
    if (offer === 'now') this.go(item)
    else if (offer === 'held') this.pace()
    return offer
  }

  /** A frame that is not a submission; false when its machine is a minute of bytes beyond its budget. */
  charge(bytes: number): boolean {
    return this.budget.charge(bytes)
  }

  /** Nothing held goes any more (the link closed, the relay stopped); returns what was held. */
  close(): T[] {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    return this.budget.clear()
  }

  /** Held submissions: hand them on as their turn comes. */
  private pace(): void {
    const now = this.now()
    if (now - this.#loggedAt >= HELD_LOG_MS) {
      this.#loggedAt = now
      this.log.warn(
        { ...this.context, held: this.budget.held },
        'submissions are coming faster than their machine or account may send; they wait their turn',
      )
    }
    if (this.#timer) return
    const wait = this.budget.nextInMs()
    if (wait === null) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      if (!this.active()) return
      for (const item of this.budget.due()) this.go(item)
      if (this.budget.held > 0) this.pace()
    }, wait)
    this.#timer.unref()
  }
}
