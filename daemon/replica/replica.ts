import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Entry, OrderStatement, UnsignedStatement } from '../../shared/index.js'
import type { Store } from '../store/index.js'
import { signStatement } from './statements.js'

export interface ReplicaEvents {
  /** Entries newly in the log, in order. */
  applied: [Entry[]]
  /** Entries removed because the relay's log did not have them (now in the outbox). */
  truncated: [Entry[]]
  /** The backlog a relay's welcome announced is applied (or the link that announced it is gone). */
  caughtUp: []
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
  /** The relay's head when it welcomed us; 0 when no backlog is expected. */
  #backlogTo = 0

  /**
   * `orderKey`: this machine's key (daemon/identity), with which it signs the order when it is
   * the relay; followers check it against the key their TLS link pinned. Without one (unit
   * tests of other parts) a key of its own is made, which no real link would carry.
   */
  constructor(
    readonly store: Store,
    private readonly orderKey: KeyObject = generateKeyPairSync('ed25519').privateKey,
  ) {
    super()
  }

  /** Signs "the log up to s.seq has chain s.chain" (shared/chain.ts) with this machine's key. */
  sign(s: UnsignedStatement): OrderStatement {
    return signStatement(s, this.orderKey)
  }

  get head(): number {
    return this.store.log.head
  }

  /**
   * Catching up on a backlog: a relay welcomed us with a head past ours, and we have not
   * reached it yet. Work that can wait (the search index) waits, so a replica that comes back
   * after a day away applies as fast as it did before that work existed.
   */
  get catchingUp(): boolean {
    return this.head < this.#backlogTo
  }

  /** A relay's welcome said its log reaches `head`; 0: the link is gone, expect nothing. */
  expectBacklog(head: number): void {
    const was = this.catchingUp
    this.#backlogTo = head
    if (was && !this.catchingUp) this.emit('caughtUp')
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
      if (fresh.length > 0 && this.#backlogTo > 0 && !this.catchingUp) {
        this.#backlogTo = 0
        this.emit('caughtUp')
      }
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
