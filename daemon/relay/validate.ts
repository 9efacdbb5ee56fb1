/**
 * What a submission must satisfy to enter the log, checked by the relay against its views as
 * they will be after the submissions before it in the same batch (a ViewTx overlay). Schema
 * checks already happened at the link boundary; the rules live in daemon/rooms.
 */
import type { Entry, Submission } from '../../shared/index.js'
import { checkSignature } from '../accounts/index.js'
import { blobsOf } from '../files/index.js'
import { check, timely, type Verdict } from '../rooms/index.js'
import { ViewQueries, type Views, type ViewTx } from '../store/index.js'

export type { Verdict } from '../rooms/index.js'

/**
 * Whether a submission from `machine` (null: the relay's own) may name the files it names
 * (file-admission.ts: offered for it, or at the relay on nobody's offer).
 */
export type NamesFiles = (s: Submission, machine: string | null) => Promise<Verdict>

/**
 * A batch being validated: the views plus what its accepted submissions did to them, on top of
 * the batch before it (`base`) while that one is still being written.
 */
export class BatchState {
  readonly #tx: ViewTx
  readonly #q: ViewQueries
  /** The log's newest seq, counting the entries this batch accepted so far. */
  #head: number

  constructor(
    private readonly views: Views,
    private readonly hasBlob: (sha256: string) => Promise<boolean>,
    head: number,
    /** The relay's clock, that a submission's timestamp may not be far ahead of. */
    private readonly now: () => number = Date.now,
    private readonly namesFiles: NamesFiles = async () => ({ ok: true }),
    base: BatchState | null = null,
  ) {
    this.#tx = views.tx(base ? base.#tx : null)
    this.#q = new ViewQueries((sub, key) => this.#tx.get(sub, key))
    this.#head = head
  }

  /** The batch under this one is written: read the database from now on. */
  detach(): void {
    this.#tx.detach()
  }

  /** `machine`: the one whose link it came on, null for the relay's own. */
  async validate(s: Submission, machine: string | null = null): Promise<Verdict> {
    const onTime = timely(s.ts, this.now())
    if (!onTime.ok) return onTime
    // Signed by the account it speaks for, before any rule reads its claimed fields.
    const signed = await checkSignature(s, this.#q, { newAccountsNeedKeys: true })
    if (!signed.ok) return signed
    const verdict = await check(s.body, this.#q, this.#head)
    if (!verdict.ok) return verdict
    const named = await this.namesFiles(s, machine)
    if (!named.ok) return named
    // The relay keeps every shared file: an entry whose file it lacks waits (the code is
    // transient, so the sender's outbox keeps it and sends the file again first).
    for (const blob of blobsOf(s.body)) {
      if (!(await this.hasBlob(blob)))
        return { ok: false, code: 'file_unavailable', message: `The relay does not have the file ${blob.slice(0, 12)}… yet.` }
    }
    return verdict
  }

  /** Counts an accepted entry for the submissions after it. */
  accept(entry: Entry): Promise<void> {
    this.#head = entry.seq
    return this.views.apply([entry], this.#tx)
  }
}
