import { EventEmitter } from 'node:events'
import type { Entry } from '../../shared/index.js'
import type { Store } from '../store/index.js'

export interface ReplicaEvents {
  /** Entries newly in the log, in order. */
  applied: [Entry[]]
  /** Entries removed because the relay's log did not have them (now in the outbox). */
  truncated: [Entry[]]
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

  append(entries: Entry[]): Promise<Entry[]> {
    return this.serial(async () => {
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
