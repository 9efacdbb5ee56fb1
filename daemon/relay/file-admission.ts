/**
 * Which files a relay takes, and which a submission may name. Files are the one thing a
 * member can make the relay keep on disk, so both ends of a file's way in are checked here:
 *
 * - **The push** (`blobGate`, PUT /peer/v1/blobs/<sha256>): from a machine with a link to this
 *   relay, for a blob that same machine offered on its link for a submission (offers.ts), no
 *   bigger than offered, within its day's bytes (limits.ts `FileQuota`). The machine is its
 *   key: the node id of its TLS certificate, on the push and on the link alike.
 * - **The message** (`names`, when a submission from a link is ordered): each blob it names was
 *   offered by its machine for this very submission, or is at the relay already on nobody's
 *   offer (a file of an earlier message being forwarded, or one whose offer expired). A blob
 *   offered for another submission is refused as `file_not_offered`: an offer's submission id
 *   means what it says, and a file pushed "for" a message that never names it is not adopted
 *   by another. The relay's own submissions are not checked: its pages store their files here
 *   themselves.
 *
 * What this cannot stop: a member that offers and pushes a file for a submission it then never
 * sends. That file is named by nothing and goes with the sweep after an hour
 * (daemon/files/sweep.ts), within the machine's day's bytes.
 */
import type { Logger } from 'pino'
import type { Offer, Submission } from '../../shared/index.js'
import type { BlobGate } from '../files/index.js'
import { blobsOf } from '../files/index.js'
import { sealedFileSize } from '../sealing/index.js'
import type { Verdict } from './validate.js'
import { FILES_A_DAY, FileQuota, type Clock } from './limits.js'
import { OfferBook, type OfferLimits } from './offers.js'

export class FileAdmission {
  readonly #offers: OfferBook
  readonly #quota: FileQuota

  constructor(
    limits: OfferLimits,
    now: Clock,
    private readonly maxFileBytes: number,
    /** Whether `machine` has a link to this relay now. */
    private readonly linked: (machine: string) => boolean,
    private readonly hasBlob: (sha256: string) => Promise<boolean>,
    private readonly log: Logger,
  ) {
    this.#offers = new OfferBook(limits, now)
    this.#quota = new FileQuota(FILES_A_DAY * maxFileBytes, now)
  }

  /** An `offer` frame on `machine`'s link. */
  offered(machine: string, offer: Pick<Offer, 'id' | 'blobs'>): void {
    this.#offers.offer(machine, offer.id, offer.blobs)
  }

  /** `machine`'s submission `id` was ordered (or was in the log already): its offers are done. */
  settled(machine: string, id: string): void {
    this.#offers.settled(machine, id)
  }

  /** `machine`'s last link closed. */
  forget(machine: string): void {
    this.#offers.forget(machine)
  }

  readonly blobGate: BlobGate = {
    admit: (from, sha256, bytes) => {
      if (from.machine === null || !this.linked(from.machine)) {
        return { ok: false, code: 'not_linked', message: 'Only a machine linked to this relay may send it files.' }
      }
      // A file of an encrypted room at the limit is a little over it sealed (17 bytes per 64 KiB): still taken.
      const offered = this.#offers.check(from.machine, sha256, bytes, sealedFileSize(this.maxFileBytes))
      if (!offered.ok) {
        this.log.warn({ remote: from.address, peer: from.machine, sha256, bytes, code: offered.code }, 'refused a file push')
        return offered
      }
      const left = this.#quota.left(from.machine)
      if (left <= 0 || bytes > left) {
        this.log.warn(
          { remote: from.address, peer: from.machine, bytes, left: Math.floor(left) },
          'a machine pushed more file bytes than its day allows',
        )
        return {
          ok: false,
          code: 'rate_limited',
          message: 'This machine has sent the relay all the files a day allows; they go as the day refills.',
        }
      }
      return offered
    },
    stored: (from, sha256, bytes) => {
      if (from.machine === null) return
      this.#quota.spend(from.machine, bytes)
      this.#offers.used(from.machine, sha256)
    },
  }

  /**
   * Whether `submission` from `machine` (null: this relay's own) may name its files. Run as
   * the submission is validated for ordering, before the relay looks for the files' bytes
   * (a file offered for it and not yet pushed is then `file_unavailable`, as before).
   */
  async names(submission: Submission, machine: string | null): Promise<Verdict> {
    if (machine === null) return { ok: true }
    for (const sha256 of new Set(blobsOf(submission.body))) {
      const claim = this.#offers.claim(machine, submission.id, sha256)
      if (claim === 'offered') continue
      if (claim === 'none' && (await this.hasBlob(sha256))) continue
      this.log.warn(
        { peer: machine, id: submission.id, sha256, claim },
        claim === 'claimed'
          ? 'refused a submission naming a file offered for another submission'
          : 'refused a submission naming a file nobody offered for it',
      )
      return {
        ok: false,
        code: 'file_not_offered',
        message:
          `The file ${sha256.slice(0, 12)}… was not offered to the relay for this message. ` +
          'Offer it on the link for this message (an offer frame with its id) and push it, then send the message again; SO-CHAT does this by itself.',
      }
    }
    return { ok: true }
  }
}
