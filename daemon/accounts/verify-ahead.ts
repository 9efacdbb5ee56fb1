/**
 * Signatures checked ahead of their batch (issue 18). A follower catching up is sent frames of
 * 2,000 entries faster than it applies them, and applies them one at a time, in order: each
 * frame's rules need the log as the frame before it left it. Checking a frame's signatures only
 * once its turn came left the worker threads idle while the frame before was being written, and
 * this thread idle while they checked. So when a frame arrives its signatures go to the workers
 * at once (verify-pool.ts `verifyOffThread`), each against the key its author most likely has
 * (signatures.ts `likelyChecks`: the store's now, or one the frame itself publishes).
 *
 * Nothing is decided here. When the frame's turn comes, `checkBatch` runs the rule book in order
 * as before, and a check it needs takes the answer sent ahead only if it is the very same check:
 * the same entry object, public key and signature (so the same signed text). Ed25519
 * verification is deterministic, so that answer is the one checking then would give; a guess
 * that was wrong (keys changed by a frame not yet applied when this one arrived) is checked on
 * the spot. A frame is still applied only once every signature in it holds.
 */
import type { Entry } from '../../shared/index.js'
import { type AnswersAhead, type KeyDirectory, likelyChecks } from './signatures.js'
import { type SignatureJob, verifyOffThread } from './verify-pool.js'

interface Sent {
  key: string
  sig: string
  valid: boolean
}

export class VerifyAhead implements AnswersAhead {
  /** Per entry of a frame sent ahead: its check and answer once known, undefined if none was sent. */
  readonly #sent = new WeakMap<Entry, Promise<Sent | undefined>>()

  constructor(
    private readonly directory: KeyDirectory,
    /** Hears of a worker that failed (its share was then checked on this thread) or a guess that could not be made. */
    private readonly onFallback: (err: Error) => void,
  ) {}

  /**
   * Sends the checks `entries` will most likely need to the workers, and returns at once. On a
   * machine with one core nothing is sent (there is no other thread to check on).
   */
  send(entries: Entry[]): void {
    const sent = likelyChecks(entries, this.directory)
      .then(async (checks) => {
        const answers = verifyOffThread(
          checks.map((c) => c.job),
          this.onFallback,
        )
        const valid = answers ? await answers : null
        return new Map(checks.map(({ entry, job }, i) => [entry, valid && { key: job.key, sig: job.sig, valid: valid[i] === true }]))
      })
      .catch((err: Error) => {
        this.onFallback(err)
        return new Map<Entry, Sent | null>()
      })
    for (const entry of entries)
      this.#sent.set(
        entry,
        sent.then((byEntry) => byEntry.get(entry) ?? undefined),
      )
  }

  async answer(entry: Entry, job: SignatureJob): Promise<boolean | undefined> {
    const sent = await this.#sent.get(entry)
    return sent && sent.key === job.key && sent.sig === job.sig ? sent.valid : undefined
  }
}
