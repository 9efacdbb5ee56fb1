/**
 * Orders submissions into the log. Submissions queue up while a batch is being written and
 * go together in the next one (group commit): one synced LevelDB write for many messages.
 * A submission whose id is already in the log is answered with its existing sequence number,
 * which is what makes resending safe.
 */
import type { Entry, ErrorCode, Submission } from '../../shared/index.js'
import { DiskFullError } from '../errors/index.js'
import { NotRelayError, type Replica } from '../replica/index.js'
import { BatchState, type NamesFiles } from './validate.js'

export type Outcome = { ok: true; seq: number } | { ok: false; code: ErrorCode; message: string }

interface Queued {
  submission: Submission
  /** The machine whose link it came on; null for the relay's own. */
  machine: string | null
  resolve: (o: Outcome) => void
}

const MAX_BATCH = 500
const NOT_RELAY: Outcome = {
  ok: false,
  code: 'not_relay',
  message: 'This daemon is no longer the relay; the submission goes to the new one.',
}

export class Sequencer {
  #queue: Queued[] = []
  #draining = false
  #stopped = false

  constructor(
    private readonly replica: Replica,
    private term: number,
    private readonly onWritten: (entries: Entry[]) => void,
    private readonly hasBlob: (sha256: string) => Promise<boolean> = async () => false,
    /** The relay's clock (a test sets it to play a sender whose clock is wrong). */
    private readonly now: () => number = Date.now,
    /** Whether a link's submission may name its files (file-admission.ts). */
    private readonly namesFiles?: NamesFiles,
  ) {}

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.#draining || this.#queue.length > 0) await new Promise((r) => setTimeout(r, 10))
  }

  /** Entries ordered from now on carry this term. */
  setTerm(term: number): void {
    this.term = term
  }

  /** Orders nothing more: what is queued or being written is answered not_relay. */
  stop(): void {
    this.#stopped = true
  }

  /** `machine`: the one whose link it came on, null (the default) for the relay's own. */
  order(submission: Submission, machine: string | null = null): Promise<Outcome> {
    if (this.#stopped) return Promise.resolve(NOT_RELAY)
    return new Promise((resolve) => {
      this.#queue.push({ submission, machine, resolve })
      if (!this.#draining) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.#draining = true
    try {
      while (this.#queue.length > 0) await this.writeBatch(this.#queue.splice(0, MAX_BATCH))
    } finally {
      this.#draining = false
    }
  }

  /** Every queued submission gets an answer, even when the store fails half-way. */
  private async writeBatch(batch: Queued[]): Promise<void> {
    let outcomes: Map<Queued, Outcome>
    try {
      outcomes = await this.orderBatch(batch)
    } catch (err) {
      // A full disk is said as such (507 disk_full, transient: the submission stays queued).
      const outcome: Outcome =
        err instanceof NotRelayError
          ? NOT_RELAY
          : err instanceof DiskFullError
            ? { ok: false, code: 'disk_full', message: `The relay's disk is full: ${err.message}` }
            : { ok: false, code: 'internal', message: `The relay could not write to its database: ${(err as Error).message}` }
      for (const q of batch) q.resolve(outcome)
      return
    }
    for (const q of batch) q.resolve(outcomes.get(q)!)
  }

  private async orderBatch(batch: Queued[]): Promise<Map<Queued, Outcome>> {
    const store = this.replica.store
    let seq = this.replica.head
    const state = new BatchState(store.views, this.hasBlob, seq, this.now, this.namesFiles)
    const entries: Entry[] = []
    const outcomes = new Map<Queued, Outcome>()
    // Which are in the log already, asked for the whole batch at once: one await per
    // submission here let every waiting HTTP request run in between (issue 18).
    const logged = await store.log.seqsOf(batch.map((q) => q.submission.id))
    const ordered = new Map<string, number>()
    for (const [i, q] of batch.entries()) {
      const s = q.submission
      const existing = ordered.get(s.id) ?? logged[i]
      if (existing !== undefined) {
        outcomes.set(q, { ok: true, seq: existing })
        continue
      }
      const verdict = await state.validate(s, q.machine)
      if (!verdict.ok) {
        outcomes.set(q, verdict)
        continue
      }
      const entry: Entry = { ...s, seq: ++seq, term: this.term }
      await state.accept(entry)
      entries.push(entry)
      ordered.set(s.id, entry.seq)
      outcomes.set(q, { ok: true, seq: entry.seq })
    }
    if (this.#stopped) throw new NotRelayError()
    const written = await this.replica.append(entries, () => !this.#stopped)
    if (written.length > 0) this.onWritten(written)
    return outcomes
  }
}
