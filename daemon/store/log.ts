/**
 * The ordered log: entries by sequence number plus an id index. Reads only; writes go through
 * `Store.append` and `Store.truncateAfter` so they land in one batch with the views.
 */
import type { Checkpoint, Entry } from '../../shared/index.js'
import { seqKey } from './keys.js'
import type { Sub } from './types.js'

export class EntryLog {
  #head = 0
  constructor(
    readonly entries: Sub<Entry>,
    readonly ids: Sub<number>,
  ) {}

  async load(): Promise<void> {
    for await (const key of this.entries.keys({ reverse: true, limit: 1 })) this.#head = Number(key)
  }

  get head(): number {
    return this.#head
  }

  /** Called by the store after a batch that moved the head landed. */
  setHead(seq: number): void {
    this.#head = seq
  }

  async get(seq: number): Promise<Entry | undefined> {
    return this.entries.get(seqKey(seq))
  }

  async seqOf(id: string): Promise<number | undefined> {
    return this.ids.get(id)
  }

  /** Entries with seq in [from, from+limit). */
  async range(from: number, limit: number): Promise<Entry[]> {
    const out: Entry[] = []
    for await (const value of this.entries.values({ gte: seqKey(from), limit })) out.push(value)
    return out
  }

  /**
   * (seq, id) pairs at head, head-1, head-2, head-4, ... and seq 1: enough for a relay to find
   * the last point where its log and ours agree in one round trip, within a factor of two.
   */
  async checkpoints(): Promise<Checkpoint[]> {
    const seqs = new Set<number>()
    for (let d = 0; this.#head - d >= 1; d = d === 0 ? 1 : d * 2) seqs.add(this.#head - d)
    if (this.#head >= 1) seqs.add(1)
    const out: Checkpoint[] = []
    for (const seq of [...seqs].sort((a, b) => b - a)) {
      const entry = await this.get(seq)
      if (entry) out.push({ seq, id: entry.id })
    }
    return out
  }
}
