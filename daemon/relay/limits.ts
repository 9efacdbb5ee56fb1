/**
 * What one machine may cost the relay. Any machine on the LAN can open a link, so without
 * limits a few of them could make the relay stream its whole log again and again (a hello
 * with head 0 costs the whole log, 16 MB and more), or order a flood of submissions as fast
 * as they arrive, or store files nobody asked for. Three budgets:
 *
 * - **Catch-ups** (`CatchUpGate`): one at a time per remote address, four at a time overall.
 *   A hello that needs a catch-up past either waits its turn, first come first served, for up
 *   to 4 s (under the 5 s a client waits for its welcome); up to 256 may wait. Past that it is
 *   refused with `busy` and the link closed, and the client's election loop links again after
 *   its next probe. Waiting rather than refusing at once lets a floor of laptops waking with
 *   old logs (or a benchmark's thousand links) through without a storm of retries; the bound
 *   on waiters keeps a flood of hellos from holding sockets without end. (A machine whose old
 *   link is half dead, a cable pulled mid catch-up, waits until the heartbeat drops that link,
 *   at most 6 s.) A hello that needs nothing (its log is the relay's) passes at once: a whole
 *   floor reconnecting after a failover is not held up.
 *
 * - **Submissions per link** (`LinkBudget`): 1,000 a second sustained, 5,000 at once, and 64 MiB
 *   of frames a minute: a machine cannot take more than about a sixth of what this relay can
 *   order (6,000-9,000 a second on a 2-core machine), yet a busy one (a bot, the benchmark's
 *   publisher at 1,600 a second for a few seconds) is not slowed. A submission over budget is
 *   **held**, not refused: it is ordered when its turn comes (up to 2,000 held, or 8 MiB). Holding keeps a sender's order: a refusal
 *   of one submission while later ones on the same link are ordered would put its messages
 *   out of order (the outbox resends the refused one after the later ones), and a refusal
 *   with any code the outbox treats as final would drop a message. Past what may be held the
 *   link is closed with `rate_limited`: everything not yet ordered stays in the sender's
 *   outbox and is resent, in order, on its next link. An outbox resending 5,000 messages after
 *   a failover gets them all at once; a chaos host posts about 100 a second.
 *
 * - **Files pushed** (`FileQuota`): ten maximum-size files a day per remote address, and
 *   only from a linked machine, for a blob it offered (relay.ts `blobGate`, offers.ts): a
 *   sender offers and pushes a message's files just before the message, so nobody else has a
 *   reason to push.
 *
 * Pure, with the clock passed in: tests play time instead of waiting for it.
 *
 * A link is known only by its hello's node id (which it chooses) and its remote IP, so what
 * must survive a reconnect (the catch-up gate, the file quota) is keyed by the IP, and two
 * daemons on one machine share it; submission budgets are per link (a machine that links
 * again starts a new one, after paying a reconnect and catch-up). Once links are admitted
 * by machine key (TLS, next), all of them move to the key.
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

export interface CatchUpLimits {
  /** Catch-ups running at once to one remote address. */
  perAddress: number
  /** Catch-ups running at once in all. */
  overall: number
  /** Hellos that may wait for a slot at once; past that, `busy` at once. */
  waiting: number
  /** How long a hello waits for its slot before `busy` (under a client's 5 s wait for a welcome). */
  waitMs: number
}

export const CATCH_UP_LIMITS: CatchUpLimits = { perAddress: 1, overall: 4, waiting: 256, waitMs: 4000 }

export type Slot = { ok: true; leave: () => void } | { ok: false; message: string }

interface Waiter {
  address: string
  grant: (slot: Slot) => void
  timer: NodeJS.Timeout
}

/** Who is being streamed the log right now, and who waits for a turn (first come, first served). */
export class CatchUpGate {
  readonly #byAddress = new Map<string, number>()
  readonly #waiting: Waiter[] = []
  #running = 0

  constructor(private readonly limits: CatchUpLimits = CATCH_UP_LIMITS) {}

  get running(): number {
    return this.#running
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /** A slot for a catch-up to `address` once there is room, or why not; `leave` frees it (once). */
  enter(address: string): Promise<Slot> {
    if (this.#waiting.length === 0 && this.fits(address)) return Promise.resolve(this.take(address))
    if (this.#waiting.length >= this.limits.waiting) return Promise.resolve(this.refusal(address))
    return new Promise((grant) => {
      const waiter: Waiter = {
        address,
        grant,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1)
          grant(this.refusal(address))
        }, this.limits.waitMs),
      }
      waiter.timer.unref?.()
      this.#waiting.push(waiter)
    })
  }

  private fits(address: string): boolean {
    return (this.#byAddress.get(address) ?? 0) < this.limits.perAddress && this.#running < this.limits.overall
  }

  private refusal(address: string): Slot {
    const message =
      (this.#byAddress.get(address) ?? 0) >= this.limits.perAddress
        ? `The relay is already sending its log to ${address}; link again once that is done.`
        : `The relay is sending its log to ${this.#running} machines; link again in a moment.`
    return { ok: false, message }
  }

  private take(address: string): Slot {
    this.#byAddress.set(address, (this.#byAddress.get(address) ?? 0) + 1)
    this.#running++
    let left = false
    return {
      ok: true,
      leave: () => {
        if (left) return
        left = true
        this.#running--
        const n = (this.#byAddress.get(address) ?? 1) - 1
        if (n > 0) this.#byAddress.set(address, n)
        else this.#byAddress.delete(address)
        this.admitWaiting()
      },
    }
  }

  /** A slot came free: the first waiters that fit now get theirs, in arrival order. */
  private admitWaiting(): void {
    for (let i = 0; i < this.#waiting.length && this.#running < this.limits.overall; ) {
      const waiter = this.#waiting[i]!
      if (!this.fits(waiter.address)) {
        i++
        continue
      }
      this.#waiting.splice(i, 1)
      clearTimeout(waiter.timer)
      waiter.grant(this.take(waiter.address))
    }
  }
}

export interface LinkLimits {
  submitsPerSecond: number
  /** Submissions a link may send at once before the per-second rate applies. */
  submitBurst: number
  /** Bytes of frames a link may send a minute (and at once). */
  bytesPerMinute: number
  /** Submissions held for their turn before the link is closed. */
  maxHeld: number
  maxHeldBytes: number
}

export const LINK_LIMITS: LinkLimits = {
  submitsPerSecond: 1000,
  submitBurst: 5000,
  bytesPerMinute: 64 * 1024 * 1024,
  maxHeld: 2000,
  maxHeldBytes: 8 * 1024 * 1024,
}

export type Offer = 'now' | 'held' | 'over'

/**
 * One link's budget. `offer` says whether a submission may be ordered now, is held (a later
 * `due` hands it out, in the order offered), or is one too many (close the link).
 */
export class LinkBudget<T> {
  readonly #count: TokenBucket
  readonly #bytes: TokenBucket
  #held: { item: T; bytes: number }[] = []
  #heldBytes = 0

  constructor(
    private readonly limits: LinkLimits,
    now: Clock,
  ) {
    this.#count = new TokenBucket(limits.submitsPerSecond, limits.submitBurst, now)
    this.#bytes = new TokenBucket(limits.bytesPerMinute / 60, limits.bytesPerMinute, now)
  }

  get held(): number {
    return this.#held.length
  }

  offer(item: T, bytes: number): Offer {
    if (this.#held.length === 0 && this.fits(bytes)) {
      this.take(bytes)
      return 'now'
    }
    if (this.#held.length >= this.limits.maxHeld || this.#heldBytes + bytes > this.limits.maxHeldBytes) return 'over'
    this.#held.push({ item, bytes })
    this.#heldBytes += bytes
    return 'held'
  }

  /**
   * A frame that is not a submission (presence, typing) of `bytes`: it counts against the
   * minute's bytes. False when the link is a whole minute's budget beyond it: close it.
   */
  charge(bytes: number): boolean {
    this.#bytes.charge(bytes)
    return this.#bytes.tokens > -this.limits.bytesPerMinute
  }

  /** Held submissions whose turn has come, in the order they were offered. */
  due(): T[] {
    const out: T[] = []
    while (this.#held.length > 0 && this.fits(this.#held[0]!.bytes)) {
      const { item, bytes } = this.#held.shift()!
      this.#heldBytes -= bytes
      this.take(bytes)
      out.push(item)
    }
    return out
  }

  /** Milliseconds until the first held submission may go; null when none is held. */
  nextInMs(): number | null {
    const first = this.#held[0]
    if (!first) return null
    return Math.max(this.#count.msUntil(1), this.#bytes.msUntil(first.bytes))
  }

  /** The link closed: what was held is the sender's to resend. */
  clear(): void {
    this.#held = []
    this.#heldBytes = 0
  }

  private fits(bytes: number): boolean {
    return this.#count.tokens >= 1 && this.#bytes.tokens >= bytes
  }

  private take(bytes: number): void {
    this.#count.take(1)
    this.#bytes.take(bytes)
  }
}

/** How many maximum-size files one address may push to the relay a day. */
export const FILES_A_DAY = 10

/**
 * Bytes of files each address may push a day: `FILES_A_DAY` maximum-size files, refilled
 * continuously (a bucket, so there is no midnight at which a whole day's worth lands at
 * once). Only linked machines push, so the map holds no more than the relay's links; full
 * buckets are forgotten past 1,024 addresses.
 */
export class FileQuota {
  readonly #buckets = new Map<string, TokenBucket>()

  constructor(
    readonly bytesPerDay: number,
    private readonly now: Clock,
  ) {}

  /** Bytes `address` may still push now. */
  left(address: string): number {
    return this.#buckets.get(address)?.tokens ?? this.bytesPerDay
  }

  /** `bytes` were stored for `address` (a file streamed past what was left still counts). */
  spend(address: string, bytes: number): void {
    let bucket = this.#buckets.get(address)
    if (!bucket) {
      if (this.#buckets.size >= 1024) {
        for (const [a, b] of this.#buckets) if (b.tokens >= this.bytesPerDay) this.#buckets.delete(a)
      }
      bucket = new TokenBucket(this.bytesPerDay / 86_400, this.bytesPerDay, this.now)
      this.#buckets.set(address, bucket)
    }
    bucket.charge(bytes)
  }
}
