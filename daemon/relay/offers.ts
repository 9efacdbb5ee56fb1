/**
 * Which files the relay will take, and from whom. A client sends an `offer` frame on its link
 * (shared/frames.ts) naming the blobs of a submission, with their sizes, just before it pushes
 * them; a push (`PUT /peer/v1/blobs/<sha256>`) is taken only for a blob the same machine
 * offered, no bigger than offered. Without this any member could fill the relay's disk with
 * files no message names, within its day's bytes, every day (issue 13).
 *
 * The machine is its key (the node id derived from its TLS certificate, on the link and on the
 * push alike), not its address: two machines behind one address cannot push each other's
 * files, and a hello cannot claim another machine's offers.
 *
 * Bounded: at most `perMachine` outstanding blobs for one machine (an honest outbox has one
 * submission's at a time, at most MAX_OFFERED_BLOBS, pushed one after the other); past that the
 * oldest go, so a flood of offers costs only the flooder's own. Offers expire after `ttlMs`: a
 * push comes seconds after its offer, and an outbox that could not push offers again when it
 * retries. An offer is used up by the push it allows. Pure, with the clock passed in.
 */
import type { ErrorCode } from '../../shared/index.js'
import type { Clock } from './limits.js'

export interface OfferLimits {
  /** Blobs offered and not yet pushed that one machine may have outstanding. */
  perMachine: number
  /** How long an offer allows its push. */
  ttlMs: number
}

export const OFFER_LIMITS: OfferLimits = { perMachine: 64, ttlMs: 10 * 60_000 }

interface Offered {
  bytes: number
  at: number
  /** The submission it was offered for, for the logs. */
  id: string
}

export type OfferVerdict = { ok: true; maxBytes: number } | { ok: false; code: ErrorCode; message: string }

export class OfferBook {
  /** Machine -> sha256 -> offer, each inner map in the order offered (oldest first). */
  readonly #byMachine = new Map<string, Map<string, Offered>>()

  constructor(
    private readonly limits: OfferLimits,
    private readonly now: Clock,
  ) {}

  /** Blobs `machine` has offered and not pushed, expired ones not counted. */
  outstanding(machine: string): number {
    return this.live(machine)?.size ?? 0
  }

  /**
   * `machine` will push these blobs for submission `id`. Offering a blob again replaces the
   * earlier offer (an outbox retrying) and makes it the newest.
   */
  offer(machine: string, id: string, blobs: readonly { sha256: string; bytes: number }[]): void {
    let mine = this.live(machine)
    if (!mine) {
      mine = new Map()
      this.#byMachine.set(machine, mine)
    }
    const at = this.now()
    for (const b of blobs) {
      mine.delete(b.sha256)
      mine.set(b.sha256, { bytes: b.bytes, at, id })
    }
    // Over the cap: the oldest go (a Map iterates in insertion order).
    for (const sha of mine.keys()) {
      if (mine.size <= this.limits.perMachine) break
      mine.delete(sha)
    }
  }

  /**
   * Whether `machine` may push `sha256` of `bytes` (0: not said, and then the offered size
   * bounds what is read) to a relay taking files of at most `maxFileBytes`.
   */
  check(machine: string | null, sha256: string, bytes: number, maxFileBytes: number): OfferVerdict {
    const offered = machine === null ? undefined : this.live(machine)?.get(sha256)
    if (!offered) {
      return {
        ok: false,
        code: 'not_offered',
        message: 'The relay takes a file only from the machine that offered it for a message, within 10 minutes; offer it again.',
      }
    }
    const maxBytes = Math.min(offered.bytes, maxFileBytes)
    if (bytes > maxBytes) {
      return {
        ok: false,
        code: bytes > maxFileBytes ? 'file_too_large' : 'not_offered',
        message: `This file is ${bytes} bytes; ${bytes > maxFileBytes ? `the relay takes at most ${maxFileBytes}` : `${offered.bytes} were offered`}.`,
      }
    }
    return { ok: true, maxBytes }
  }

  /** The push `machine` offered for `sha256` is done: the offer is used up. */
  used(machine: string, sha256: string): void {
    const mine = this.#byMachine.get(machine)
    mine?.delete(sha256)
    if (mine?.size === 0) this.#byMachine.delete(machine)
  }

  /** The machine's last link closed: a push now would be refused as not linked anyway. */
  forget(machine: string): void {
    this.#byMachine.delete(machine)
  }

  /** The machine's offers, expired ones dropped first (oldest first, so the scan stops early). */
  private live(machine: string): Map<string, Offered> | undefined {
    const mine = this.#byMachine.get(machine)
    if (!mine) return undefined
    const oldest = this.now() - this.limits.ttlMs
    for (const [sha, o] of mine) {
      if (o.at > oldest) break
      mine.delete(sha)
    }
    if (mine.size === 0) {
      this.#byMachine.delete(machine)
      return undefined
    }
    return mine
  }
}
