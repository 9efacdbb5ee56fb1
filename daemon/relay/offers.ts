/**
 * Which files the relay will take, from whom, and for which message. A client sends an `offer`
 * frame on its link (shared/frames.ts) naming the blobs of a submission, with their sizes,
 * just before it pushes them; a push (`PUT /peer/v1/blobs/<sha256>`) is taken only for a blob
 * the same machine offered, no bigger than offered. Without this any member could fill the
 * relay's disk with files no message names, within its day's bytes, every day (issue 13).
 *
 * An offer also says which submission the blob is for, and that is held to: when a submission
 * from a link is ordered, each blob it names must have been offered by the same machine for
 * that submission's id, or be at the relay already with nobody's offer on it (a file of an
 * earlier message, forwarded); a blob offered for another submission, by this machine or
 * another, is not this one's to name (file-admission.ts). So an offer is kept after its push,
 * until its submission is ordered (`settled`) or it expires.
 *
 * The machine is its key (the node id derived from its TLS certificate, on the link and on the
 * push alike), not its address: two machines behind one address cannot push each other's
 * files, and a hello cannot claim another machine's offers.
 *
 * Bounded: at most `perMachine` outstanding (blob, submission) offers for one machine (an
 * honest outbox has one or a few submissions' at a time, at most MAX_OFFERED_BLOBS each); past
 * that the oldest go, so a flood of offers costs only the flooder's own (a submission whose
 * offer went this way is then judged as if never offered). Offers expire after `ttlMs`: a push
 * comes seconds after its offer and the message right after it, and an outbox that could not
 * push offers again when it retries. A push uses an offer up: another push of the same blob
 * needs another offer. Pure, with the clock passed in.
 */
import type { ErrorCode } from '../../shared/index.js'
import type { Clock } from './limits.js'

export interface OfferLimits {
  /** (Blob, submission) offers one machine may have outstanding. */
  perMachine: number
  /** How long an offer allows its push, and names its submission. */
  ttlMs: number
}

export const OFFER_LIMITS: OfferLimits = { perMachine: 64, ttlMs: 10 * 60_000 }

interface Offered {
  sha256: string
  /** The submission it was offered for. */
  id: string
  bytes: number
  at: number
  /** Pushed already: the offer still names its submission, but allows no other push. */
  pushed: boolean
}

export type OfferVerdict = { ok: true; maxBytes: number } | { ok: false; code: ErrorCode; message: string }

/** Whose a blob is, for a submission naming it: offered for it, offered for another, or nobody's. */
export type Claim = 'offered' | 'claimed' | 'none'

const keyOf = (sha256: string, id: string) => `${sha256} ${id}`

export class OfferBook {
  /** Machine -> (sha256, id) -> offer, each inner map in the order offered (oldest first). */
  readonly #byMachine = new Map<string, Map<string, Offered>>()

  constructor(
    private readonly limits: OfferLimits,
    private readonly now: Clock,
  ) {}

  /** Offers `machine` has outstanding (pushed or not), expired ones not counted. */
  outstanding(machine: string): number {
    return this.live(machine)?.size ?? 0
  }

  /**
   * `machine` will push these blobs for submission `id`. Offering a blob for the same
   * submission again replaces the earlier offer (an outbox retrying) and makes it the newest.
   */
  offer(machine: string, id: string, blobs: readonly { sha256: string; bytes: number }[]): void {
    let mine = this.live(machine)
    if (!mine) {
      mine = new Map()
      this.#byMachine.set(machine, mine)
    }
    const at = this.now()
    for (const b of blobs) {
      const key = keyOf(b.sha256, id)
      mine.delete(key)
      mine.set(key, { sha256: b.sha256, id, bytes: b.bytes, at, pushed: false })
    }
    // Over the cap: the oldest go (a Map iterates in insertion order).
    for (const key of mine.keys()) {
      if (mine.size <= this.limits.perMachine) break
      mine.delete(key)
    }
  }

  /**
   * Whether `machine` may push `sha256` of `bytes` (0: not said, and then the offered size
   * bounds what is read) to a relay taking files of at most `maxFileBytes`.
   */
  check(machine: string | null, sha256: string, bytes: number, maxFileBytes: number): OfferVerdict {
    const open = machine === null ? [] : [...(this.live(machine)?.values() ?? [])].filter((o) => o.sha256 === sha256 && !o.pushed)
    if (open.length === 0) {
      return {
        ok: false,
        code: 'not_offered',
        message: 'The relay takes a file only from the machine that offered it for a message, within 10 minutes; offer it again.',
      }
    }
    const offered = Math.max(...open.map((o) => o.bytes))
    const maxBytes = Math.min(offered, maxFileBytes)
    if (bytes > maxBytes) {
      return {
        ok: false,
        code: bytes > maxFileBytes ? 'file_too_large' : 'not_offered',
        message: `This file is ${bytes} bytes; ${bytes > maxFileBytes ? `the relay takes at most ${maxFileBytes}` : `${offered} were offered`}.`,
      }
    }
    return { ok: true, maxBytes }
  }

  /** `machine` pushed `sha256`: its offers of it allow no other push, and still name their submissions. */
  used(machine: string, sha256: string): void {
    for (const o of this.live(machine)?.values() ?? []) if (o.sha256 === sha256) o.pushed = true
  }

  /** Whose `sha256` is for submission `id` from `machine`. */
  claim(machine: string, id: string, sha256: string): Claim {
    if (this.live(machine)?.has(keyOf(sha256, id))) return 'offered'
    for (const other of [...this.#byMachine.keys()]) {
      for (const o of this.live(other)?.values() ?? []) if (o.sha256 === sha256) return 'claimed'
    }
    return 'none'
  }

  /** Submission `id` from `machine` was ordered: its offers are done. */
  settled(machine: string, id: string): void {
    const mine = this.#byMachine.get(machine)
    if (!mine) return
    for (const [key, o] of mine) if (o.id === id) mine.delete(key)
    if (mine.size === 0) this.#byMachine.delete(machine)
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
    for (const [key, o] of mine) {
      if (o.at > oldest) break
      mine.delete(key)
    }
    if (mine.size === 0) {
      this.#byMachine.delete(machine)
      return undefined
    }
    return mine
  }
}
