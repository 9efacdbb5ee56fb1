/**
 * What one machine, and one account, may cost the relay in submissions and file bytes. Any
 * member can open a link, so without limits one could make the relay order a flood of
 * submissions as fast as they arrive, or store files nobody asked for. (Catch-ups, the other
 * costly thing a link asks for, are gated in catch-ups.ts.)
 *
 * - **Submissions per machine** (`MACHINE_LIMITS`): 1,000 a second sustained, 5,000 at once,
 *   and 64 MiB of frames a minute: a machine cannot take more than about a sixth of what this
 *   relay can order (6,000-9,000 a second on a 2-core machine), yet a busy one (a bot, the
 *   benchmark's publisher at 1,600 a second for a few seconds) is not slowed. An outbox
 *   resending 5,000 messages after a failover gets them all at once; a chaos host posts about
 *   100 a second. The budget is the machine's (its key), kept across its links: a machine
 *   that drops its link and links again finds what it had spent still spent, rather than a
 *   fresh burst each time.
 *
 * - **Submissions per account** (`ACCOUNT_LIMITS`): 500 a second sustained, 5,000 at once, by
 *   the account a submission speaks for (`actorOf` in shared/signing.ts: its author, or
 *   whoever joins, reads or signs up). It is charged when the submission arrives, before its
 *   signature is checked at ordering: a forged one is refused then, but has spent the named
 *   account's budget (a known limit). Without it an account posting from ten machines gets ten machines' budgets. A
 *   person typing sends a few a second and never meets it; a bot is held at 500 a second.
 *   The figures come from what honest load does: the benchmark's publisher is one account
 *   (3,000 messages at up to 1,600 a second, then 2,000 at 200 a second: the burst covers the
 *   first, the rate the second); the catch-up benchmark posts 100,000 as one account through
 *   the relay's own page at about 320 a second; a chaos host posts about 100 a second as its
 *   own account; an outbox resending thousands of one person's messages after a failover gets
 *   5,000 at once. It is half a machine's rate so one account cannot take a whole machine's
 *   share from several machines at once. The relay's own submissions (its pages) count too:
 *   an account gains nothing by logging in on the relay's machine. In the next issue the
 *   account becomes the submission's signer, and this budget goes by the signing key.
 *
 * A submission over either budget is **held**, not refused: it is ordered when its turn comes
 * (up to 2,000 held per link, or 8 MiB). Holding keeps a sender's order: a refusal of one
 * submission while later ones on the same link are ordered would put its messages out of
 * order (the outbox resends the refused one after the later ones), and a refusal with any code
 * the outbox treats as final would drop a message. A link's held submissions go strictly in
 * the order sent, whichever account each is for: one held for its account holds back those
 * after it (otherwise a post could overtake the invitation it depends on). Past what may be
 * held the link is closed with `rate_limited`: everything not yet ordered stays in the
 * sender's outbox and is resent, in order, on its next link.
 *
 * - **Files pushed** (`FileQuota`): ten maximum-size files a day per machine (its key), and
 *   only from a linked machine, for a blob it offered (file-admission.ts, offers.ts).
 *
 * Pure, with the clock passed in: tests play time instead of waiting for it.
 */

export type Clock = () => number

/** `rate` tokens a second, at most `burst` saved up; starts full. */
export class TokenBucket {
  #tokens: number
  #at: number

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: Clock,
  ) {
    this.#tokens = burst
    this.#at = now()
  }

  get tokens(): number {
    const now = this.now()
    // A clock that goes back (a test, an NTP step) refills nothing rather than draining.
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, now - this.#at) * this.rate) / 1000)
    this.#at = now
    return this.#tokens
  }

  /** Takes `n` if there are that many. */
  take(n = 1): boolean {
    if (this.tokens < n) return false
    this.#tokens -= n
    return true
  }

  /** Takes `n` whether or not there are that many (a frame already received still costs). */
  charge(n: number): void {
    this.#tokens = this.tokens - n
  }

  /** Milliseconds until `n` could be taken. */
  msUntil(n = 1): number {
    const missing = n - this.tokens
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate)
  }
}

export interface SubmitLimits {
  submitsPerSecond: number
  /** Submissions that may go at once before the per-second rate applies. */
  submitBurst: number
  /** Bytes of frames that may be sent a minute (and at once); not counted when absent. */
  bytesPerMinute?: number
}

export const MACHINE_LIMITS: Required<SubmitLimits> = { submitsPerSecond: 1000, submitBurst: 5000, bytesPerMinute: 64 * 1024 * 1024 }
export const ACCOUNT_LIMITS: SubmitLimits = { submitsPerSecond: 500, submitBurst: 5000 }

/** What one link may hold for its turn before it is closed. */
export interface HoldLimits {
  maxHeld: number
  maxHeldBytes: number
}

export const HOLD_LIMITS: HoldLimits = { maxHeld: 2000, maxHeldBytes: 8 * 1024 * 1024 }

/** One machine's or one account's submissions (and bytes) left. */
export class Allowance {
  readonly #count: TokenBucket
  readonly #bytes: TokenBucket | null

  constructor(limits: SubmitLimits, now: Clock) {
    this.#count = new TokenBucket(limits.submitsPerSecond, limits.submitBurst, now)
    this.#bytes = limits.bytesPerMinute ? new TokenBucket(limits.bytesPerMinute / 60, limits.bytesPerMinute, now) : null
  }

  /** Nothing spent: the same as a new one, so it may be forgotten. */
  get full(): boolean {
    return this.#count.tokens >= this.#count.burst && (!this.#bytes || this.#bytes.tokens >= this.#bytes.burst)
  }

  /** Bytes left this minute (Infinity when bytes are not counted); below zero after a flood of other frames. */
  get bytesLeft(): number {
    return this.#bytes?.tokens ?? Number.POSITIVE_INFINITY
  }

  fits(bytes: number): boolean {
    return this.#count.tokens >= 1 && this.bytesLeft >= bytes
  }

  take(bytes: number): void {
    this.#count.take(1)
    this.#bytes?.take(bytes)
  }

  /**
   * A frame that is not a submission still costs its bytes. False when that leaves the
   * allowance a whole minute's bytes beyond empty.
   */
  charge(bytes: number): boolean {
    if (!this.#bytes) return true
    this.#bytes.charge(bytes)
    return this.#bytes.tokens > -this.#bytes.burst
  }

  msUntil(bytes: number): number {
    return Math.max(this.#count.msUntil(1), this.#bytes?.msUntil(bytes) ?? 0)
  }
}

/**
 * Allowances by machine or by account, kept for as long as the relay runs, so that linking
 * again does not refill one. A full allowance is the same as a new one, so full ones are
 * forgotten once there are more than `keep`: the map holds about the machines (or accounts)
 * that spent something lately.
 */
export class AllowanceBook {
  readonly #byKey = new Map<string, Allowance>()

  constructor(
    private readonly limits: SubmitLimits,
    private readonly now: Clock,
    private readonly keep = 1024,
  ) {}

  of(key: string): Allowance {
    let allowance = this.#byKey.get(key)
    if (!allowance) {
      if (this.#byKey.size >= this.keep) for (const [k, a] of this.#byKey) if (a.full) this.#byKey.delete(k)
      allowance = new Allowance(this.limits, this.now)
      this.#byKey.set(key, allowance)
    }
    return allowance
  }
}

export type Offer = 'now' | 'held' | 'over'

/**
 * Submissions from one source (a link, or the relay's own pages) on their way to be ordered.
 * `offer` says whether one may be ordered now, is held (a later `due` hands it out, in the
 * order offered), or is one too many to hold (close the link). A submission goes when its
 * machine's allowance (none for the relay's own) and its account's both have room.
 */
export class HeldSubmissions<T> {
  #held: { item: T; bytes: number }[] = []
  #heldBytes = 0

  constructor(
    private readonly limits: HoldLimits,
    /** The source machine's allowance, looked up each time (the book may forget a full one); null: not limited. */
    private readonly machine: (() => Allowance) | null,
    private readonly accountOf: (item: T) => Allowance,
  ) {}

  get held(): number {
    return this.#held.length
  }

  offer(item: T, bytes: number): Offer {
    if (this.#held.length === 0 && this.fits(item, bytes)) {
      this.take(item, bytes)
      return 'now'
    }
    if (this.#held.length >= this.limits.maxHeld || this.#heldBytes + bytes > this.limits.maxHeldBytes) return 'over'
    this.#held.push({ item, bytes })
    this.#heldBytes += bytes
    return 'held'
  }

  /**
   * A frame that is not a submission (presence, typing) of `bytes`: it counts against the
   * machine's minute of bytes. False when the machine is a whole minute's budget beyond it: close the link.
   */
  charge(bytes: number): boolean {
    return this.machine?.().charge(bytes) ?? true
  }

  /** Held submissions whose turn has come, in the order they were offered. */
  due(): T[] {
    const out: T[] = []
    while (this.#held.length > 0 && this.fits(this.#held[0]!.item, this.#held[0]!.bytes)) {
      const { item, bytes } = this.#held.shift()!
      this.#heldBytes -= bytes
      this.take(item, bytes)
      out.push(item)
    }
    return out
  }

  /** Milliseconds until the first held submission may go; null when none is held. */
  nextInMs(): number | null {
    const first = this.#held[0]
    if (!first) return null
    return Math.max(this.machine?.().msUntil(first.bytes) ?? 0, this.accountOf(first.item).msUntil(0))
  }

  /** The link closed: what was held is the sender's to resend. Returns what was held. */
  clear(): T[] {
    const held = this.#held.map((h) => h.item)
    this.#held = []
    this.#heldBytes = 0
    return held
  }

  private fits(item: T, bytes: number): boolean {
    return (this.machine?.().fits(bytes) ?? true) && this.accountOf(item).fits(0)
  }

  private take(item: T, bytes: number): void {
    this.machine?.().take(bytes)
    this.accountOf(item).take(0)
  }
}

/** How many maximum-size files one machine may push to the relay a day. */
export const FILES_A_DAY = 10

/**
 * Bytes of files each machine may push a day: `FILES_A_DAY` maximum-size files, refilled
 * continuously (a bucket, so there is no midnight at which a whole day's worth lands at
 * once). Keyed by the machine's key, so two daemons on one computer each have their own and a
 * machine with several addresses has one. Only linked members push, so the map holds no
 * more than the relay's members; full buckets are forgotten past 1,024 machines.
 */
export class FileQuota {
  readonly #buckets = new Map<string, TokenBucket>()

  constructor(
    readonly bytesPerDay: number,
    private readonly now: Clock,
  ) {}

  /** Bytes `machine` may still push now. */
  left(machine: string): number {
    return this.#buckets.get(machine)?.tokens ?? this.bytesPerDay
  }

  /** `bytes` were stored for `machine` (a file streamed past what was left still counts). */
  spend(machine: string, bytes: number): void {
    let bucket = this.#buckets.get(machine)
    if (!bucket) {
      if (this.#buckets.size >= 1024) {
        for (const [m, b] of this.#buckets) if (b.tokens >= this.bytesPerDay) this.#buckets.delete(m)
      }
      bucket = new TokenBucket(this.bytesPerDay / 86_400, this.bytesPerDay, this.now)
      this.#buckets.set(machine, bucket)
    }
    bucket.charge(bytes)
  }
}
