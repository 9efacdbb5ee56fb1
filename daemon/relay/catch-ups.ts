/**
 * Who is being streamed the relay's log right now. A hello with head 0 costs the whole log
 * (16 MB and more), so without a gate a few machines could make the relay stream it again and
 * again: one catch-up at a time per machine, four at a time overall. A hello that needs a
 * catch-up past either waits its turn, first come first served, for up to 4 s (under the 5 s a
 * client waits for its welcome); up to 256 may wait. Past that it is refused with `busy` and the
 * link closed, and the client's election loop links again after its next probe. Waiting rather
 * than refusing at once lets a floor of laptops waking with old logs (or a benchmark's thousand
 * links) through without a storm of retries; the bound on waiters keeps a flood of hellos from
 * holding sockets without end. (A machine whose old link is half dead, a cable pulled mid
 * catch-up, waits until the heartbeat drops that link, at most 6 s.) A hello that needs nothing
 * (its log is the relay's) takes no slot: a whole floor reconnecting after a failover is not
 * held up.
 *
 * The machine is its key (the node id of its TLS certificate, relay.ts `machineOf`), not its
 * address: two daemons on one computer (two data folders, two keys) each get their turn, and a
 * machine that moves to another address, or has several, still gets one slot.
 */

export interface CatchUpLimits {
  /** Catch-ups running at once to one machine. */
  perMachine: number
  /** Catch-ups running at once in all. */
  overall: number
  /** Hellos that may wait for a slot at once; past that, `busy` at once. */
  waiting: number
  /** How long a hello waits for its slot before `busy` (under a client's 5 s wait for a welcome). */
  waitMs: number
}

export const CATCH_UP_LIMITS: CatchUpLimits = { perMachine: 1, overall: 4, waiting: 256, waitMs: 4000 }

export type Slot = { ok: true; leave: () => void } | { ok: false; message: string }

interface Waiter {
  machine: string
  grant: (slot: Slot) => void
  timer: NodeJS.Timeout
}

/** Who is being streamed the log right now, and who waits for a turn (first come, first served). */
export class CatchUpGate {
  readonly #byMachine = new Map<string, number>()
  readonly #waiting: Waiter[] = []
  #running = 0

  constructor(private readonly limits: CatchUpLimits = CATCH_UP_LIMITS) {}

  get running(): number {
    return this.#running
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /** A slot for a catch-up to `machine` once there is room, or why not; `leave` frees it (once). */
  enter(machine: string): Promise<Slot> {
    if (this.#waiting.length === 0 && this.fits(machine)) return Promise.resolve(this.take(machine))
    if (this.#waiting.length >= this.limits.waiting) return Promise.resolve(this.refusal(machine))
    return new Promise((grant) => {
      const waiter: Waiter = {
        machine,
        grant,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1)
          grant(this.refusal(machine))
        }, this.limits.waitMs),
      }
      waiter.timer.unref?.()
      this.#waiting.push(waiter)
    })
  }

  private fits(machine: string): boolean {
    return (this.#byMachine.get(machine) ?? 0) < this.limits.perMachine && this.#running < this.limits.overall
  }

  private refusal(machine: string): Slot {
    const message =
      (this.#byMachine.get(machine) ?? 0) >= this.limits.perMachine
        ? `The relay is already sending its log to machine ${machine}; link again once that is done.`
        : `The relay is sending its log to ${this.#running} machines; link again in a moment.`
    return { ok: false, message }
  }

  private take(machine: string): Slot {
    this.#byMachine.set(machine, (this.#byMachine.get(machine) ?? 0) + 1)
    this.#running++
    let left = false
    return {
      ok: true,
      leave: () => {
        if (left) return
        left = true
        this.#running--
        const n = (this.#byMachine.get(machine) ?? 1) - 1
        if (n > 0) this.#byMachine.set(machine, n)
        else this.#byMachine.delete(machine)
        this.admitWaiting()
      },
    }
  }

  /** A slot came free: the first waiters that fit now get theirs, in arrival order. */
  private admitWaiting(): void {
    for (let i = 0; i < this.#waiting.length && this.#running < this.limits.overall; ) {
      const waiter = this.#waiting[i]!
      if (!this.fits(waiter.machine)) {
        i++
        continue
      }
      this.#waiting.splice(i, 1)
      clearTimeout(waiter.timer)
      waiter.grant(this.take(waiter.machine))
    }
  }
}
