import { EventEmitter } from 'node:events'
import type { Entry } from '../../shared/index.js'
import type { Store } from '../store/index.js'

export interface ReplicaEvents {
  /** Entries newly in the log, in order. */
  applied: [Entry[]]
  /** Entries removed because the relay's log did not have them (now in the outbox). */
  truncated: [Entry[]]
}

/** A write was refused because whoever ordered it is no longer the relay. */
export class NotRelayError extends Error {
  constructor() {
    super('This daemon stopped being the relay before the batch was written.')
  }
}

export class Replica extends EventEmitter<ReplicaEvents> {
  // Appends are chained so two callers can never race on the head.
  #queue: Promise<unknown> = Promise.resolve()

  constructor(readonly store: Store) {
    super()
  }

  get head(): number {
    return this.store.log.head
  }

  /**
   * `still` is asked inside the serialized section, right before writing: a relay that stepped
   * down while its batch waited behind a truncation must not write on top of the new log.
   */
  append(entries: Entry[], still: () => boolean = () => true): Promise<Entry[]> {
    return this.serial(async () => {
      if (!still()) throw new NotRelayError()
      const fresh = await this.store.append(entries)
      if (fresh.length > 0) this.emit('applied', fresh)
      return fresh
    })
  }

  truncateAfter(seq: number): Promise<Entry[]> {
    return this.serial(async () => {
      const removed = await this.store.truncateAfter(seq)
      if (removed.length > 0) this.emit('truncated', removed)
      return removed
    })
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task)
    this.#queue = run.catch(() => undefined)
    return run
  }
}
