/**
 * Orders submissions into the log. Submissions queue up while a batch is being written and
 * go together in the next one (group commit): one synced LevelDB write for many messages.
 * A submission whose id is already in the log is answered with its existing sequence number,
 * which is what makes resending safe.
 *
 * Pipelined (issue 18): when submissions queued up while a batch was validated, they are
 * validated as the next batch while that one is on its way to the disk, on top of it (its views
 * overlay, its ids, its last seq), so under load the synced write no longer sits between one
 * batch's validation and the next. With nothing queued, what comes during the write waits for
 * it and goes in one batch then (group commit, as before: no smaller batches, so no more frames
 * to fan out). Nothing else moves: a batch is fanned out and answered only once its own write is
 * durable, batches are written and fanned out in order, and one batch at most is in flight. If
 * that write fails, the batch validated on top of it goes back to the head of the queue and is
 * validated again on the log as it is.
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

/** A batch validated and sequenced, not yet written: what the next batch is validated on top of. */
interface Ordered {
  batch: Queued[]
  outcomes: Map<Queued, Outcome>
  entries: Entry[]
  state: BatchState
  /** The seq of its last entry (the head it started from when it has none). */
  head: number
  /** The ids it ordered, with their seqs. */
  ids: Map<string, number>
}

/** A batch on its way to the disk: `landed` says whether it was written (and so fanned out and answered). */
interface Writing extends Ordered {
  landed: Promise<boolean>
  done: boolean
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
    let writing: Writing | null = null
    try {
      for (;;) {
        if (writing?.done) writing = null
        if (this.#queue.length === 0) {
          if (!writing) return
          // Nothing waited while the batch was validated: what comes now waits for its write and
          // goes in one batch then (group commit), rather than in small batches one after another.
          await writing.landed
          continue
        }
        const batch = this.#queue.splice(0, MAX_BATCH)
        const ordered = await this.validated(batch, writing)
        if (!ordered) continue
        if (writing && !(await writing.landed)) {
          // Validated on top of a batch that is not in the log: again, on the log as it is.
          this.#queue.unshift(...batch)
          writing = null
          continue
        }
        // The batch under it is written: its overlay reads the database from now on.
        ordered.state.detach()
        writing = this.land(ordered)
      }
    } finally {
      this.#draining = false
    }
  }

  /** The batch validated on top of `under`; null when validating failed (then every submission was answered). */
  private async validated(batch: Queued[], under: Ordered | null): Promise<Ordered | null> {
    try {
      return await this.orderBatch(batch, under)
    } catch (err) {
      const outcome = failure(err)
      for (const q of batch) q.resolve(outcome)
      return null
    }
  }

  /** Starts writing; once durable, fans out, then answers. Every submission gets an answer, even when the store fails. */
  private land(ordered: Ordered): Writing {
    const writing: Writing = { ...ordered, done: false, landed: Promise.resolve(false) }
    writing.landed = this.write(ordered).then((ok) => {
      writing.done = true
      return ok
    })
    return writing
  }

  private async write(o: Ordered): Promise<boolean> {
    try {
      if (this.#stopped) throw new NotRelayError()
      const written = await this.replica.append(o.entries, () => !this.#stopped)
      if (written.length > 0) this.onWritten(written)
    } catch (err) {
      const outcome = failure(err)
      for (const q of o.batch) q.resolve(outcome)
      return false
    }
    for (const q of o.batch) q.resolve(o.outcomes.get(q)!)
    return true
  }

  /** Validates and sequences a batch, on top of `under` (a batch still being written) if any. */
  private async orderBatch(batch: Queued[], under: Ordered | null): Promise<Ordered> {
    const store = this.replica.store
    let seq = under?.head ?? this.replica.head
    const state = new BatchState(store.views, this.hasBlob, seq, this.now, this.namesFiles, under?.state ?? null)
    const entries: Entry[] = []
    const outcomes = new Map<Queued, Outcome>()
    // Which are in the log already, asked for the whole batch at once: one await per
    // submission here let every waiting HTTP request run in between (issue 18).
    const logged = await store.log.seqsOf(batch.map((q) => q.submission.id))
    const ordered = new Map<string, number>()
    for (const [i, q] of batch.entries()) {
      const s = q.submission
      const existing = ordered.get(s.id) ?? under?.ids.get(s.id) ?? logged[i]
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
    return { batch, outcomes, entries, state, head: seq, ids: ordered }
  }
}

/** How a batch that could not be written (or validated) is answered. A full disk is said as such (507 disk_full, transient). */
function failure(err: unknown): Outcome {
  if (err instanceof NotRelayError) return NOT_RELAY
  if (err instanceof DiskFullError) return { ok: false, code: 'disk_full', message: `The relay's disk is full: ${(err as Error).message}` }
  return { ok: false, code: 'internal', message: `The relay could not write to its database: ${(err as Error).message}` }
}
