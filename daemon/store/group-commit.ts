/**
 * Group commit for small synced writes that arrive together (issue 18): what is asked while a
 * write is on the disk waits, and everything that waited goes in the next one, as one synced
 * LevelDB batch. Each caller's promise resolves only once the batch holding its ops is durable,
 * so a caller may acknowledge at once; if that batch fails, every caller in it gets the same
 * error, and nothing of the batch was written (a LevelDB batch lands whole or not at all).
 *
 * Why: 32 people posting at once each wrote their outbox record with its own fsync. LevelDB
 * groups concurrent writers only as far as the libuv pool lets them reach it, and meanwhile
 * those fsyncs hold the pool's threads, so the relay's reads for ordering waited behind them.
 * One write in flight at a time keeps one thread on the disk and leaves the others to reads.
 */
import type { Op } from './types.js'

interface Waiting {
  ops: Op[]
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Bounds a batch: a burst of thousands is written in a few batches rather than one huge one
 * (an outbox record may hold a 16 KiB message; 500 of them stay under 10 MiB). As the
 * sequencer's MAX_BATCH.
 */
const MAX_OPS = 500

export class GroupCommit {
  #queue: Waiting[] = []
  #writing = false

  /** `write`: one synced, all-or-nothing batch (Store.write). */
  constructor(private readonly write: (ops: Op[]) => Promise<void>) {}

  /** Resolves when `ops` are durable, together with whatever else was asked meanwhile. */
  commit(ops: Op[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ops, resolve, reject })
      if (!this.#writing) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.#writing = true
    try {
      while (this.#queue.length > 0) await this.writeGroup(this.takeGroup())
    } finally {
      this.#writing = false
    }
  }

  /** The oldest waiting writes, up to MAX_OPS (always at least one). */
  private takeGroup(): Waiting[] {
    let ops = 0
    let n = 0
    while (n < this.#queue.length && (n === 0 || ops + this.#queue[n]!.ops.length <= MAX_OPS)) ops += this.#queue[n++]!.ops.length
    return this.#queue.splice(0, n)
  }

  /** Every caller of the group is answered, whether the batch lands or fails. */
  private async writeGroup(group: Waiting[]): Promise<void> {
    try {
      await this.write(group.flatMap((w) => w.ops))
    } catch (err) {
      for (const w of group) w.reject(err)
      return
    }
    for (const w of group) w.resolve()
  }
}
