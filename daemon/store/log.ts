/**
 * The ordered log: entries by sequence number, an id index, and chain(seq) for each entry (the
 * SHA-256 hash chain of shared/chain.ts). Reads only; writes go through `Store.append` and
 * `Store.truncateAfter` so an entry, its chain value and its view changes land in one batch.
 */
import type { Checkpoint, Entry } from '../../shared/index.js'
import { chainOver, GENESIS } from './chain.js'
import { seqKey } from './keys.js'
import type { Op, Sub } from './types.js'

/** Chain values kept in memory for the newest entries: a relay's fan-out reads them without I/O. */
const RECENT_CHAINS = 4096
/** Entries hashed per write when a log from before the chain gets its chain at open. */
const CHAIN_BUILD_CHUNK = 5000

export class EntryLog {
  #head = 0
  #chainHead = GENESIS
  readonly #recent = new Map<number, string>()
  /** Chain values a follower computed to check a batch, reused when that very batch is appended. */
  #offered: { start: string; entries: readonly Entry[]; values: string[] } | null = null
  constructor(
    readonly entries: Sub<Entry>,
    readonly ids: Sub<number>,
    readonly chains: Sub<string>,
  ) {}

  /**
   * Finds the head, and computes the chain of entries that have none: a log written before the
   * chain existed (all of it, once), or nothing. Resumable: each chunk is its own write.
   */
  async load(): Promise<void> {
    for await (const key of this.entries.keys({ reverse: true, limit: 1 })) this.#head = Number(key)
    // Chain values past the head cannot be (they are written and removed with their entries),
    // but if a damaged database has them, they are dropped rather than trusted.
    await this.chains.clear({ gt: seqKey(this.#head) })
    let done = 0
    let chain = GENESIS
    for await (const [key, value] of this.chains.iterator({ reverse: true, limit: 1 })) {
      done = Number(key)
      chain = value
    }
    while (done < this.#head) {
      const entries = await this.range(done + 1, CHAIN_BUILD_CHUNK)
      const values = chainOver(chain, entries)
      await this.chains.batch(entries.map((e, i) => ({ type: 'put' as const, key: seqKey(e.seq), value: values[i]! })))
      done = entries[entries.length - 1]!.seq
      chain = values[values.length - 1]!
    }
    this.#chainHead = chain
  }

  get head(): number {
    return this.#head
  }

  /** chain(head). */
  get chainHead(): string {
    return this.#chainHead
  }

  /**
   * The puts that store chain(seq) for `fresh` (which follow the head without a gap), to go in
   * the batch that writes them, and the chain after the last; pass it to `setHead` once written.
   */
  chainOps(fresh: Entry[]): { ops: Op[]; chain: string; values: string[] } {
    const values = this.takeOffered(fresh) ?? chainOver(this.#chainHead, fresh)
    const ops: Op[] = fresh.map((e, i) => ({ type: 'put', sublevel: this.chains, key: seqKey(e.seq), value: values[i] }))
    return { ops, chain: values[values.length - 1] ?? this.#chainHead, values }
  }

  /**
   * The chain over `entries` from `start` (chain(entries[0].seq - 1)), as a follower computed
   * it to check the relay's statement: appending the same batch then hashes nothing twice.
   */
  offerChain(start: string, entries: readonly Entry[], values: string[]): void {
    this.#offered = { start, entries, values }
  }

  /**
   * The offered values for `fresh`, if they are for these very entry objects on top of the
   * present head; anything else (another batch, a head that moved) is computed afresh.
   */
  private takeOffered(fresh: Entry[]): string[] | null {
    const offered = this.#offered
    this.#offered = null
    const first = fresh[0]
    if (!offered || !first) return null
    const at = offered.entries.indexOf(first)
    if (at < 0 || at + fresh.length > offered.entries.length) return null
    const before = at === 0 ? offered.start : offered.values[at - 1]
    if (before !== this.#chainHead || fresh.some((e, i) => offered.entries[at + i] !== e)) return null
    return offered.values.slice(at, at + fresh.length)
  }

  /** Called by the store after a batch that moved the head landed, with chain(seq). */
  setHead(seq: number, chain: string, written: { seq: number; chain: string }[] = []): void {
    this.#head = seq
    this.#chainHead = chain
    for (const key of this.#recent.keys()) if (key > seq) this.#recent.delete(key)
    for (const w of written) this.#recent.set(w.seq, w.chain)
    this.#recent.set(seq, chain)
    // A Map iterates in insertion order: the oldest go first.
    for (const key of this.#recent.keys()) {
      if (this.#recent.size <= RECENT_CHAINS) break
      this.#recent.delete(key)
    }
  }

  /** chain(seq) if it is among the newest in memory (0 is chain(0)); else undefined. */
  recentChain(seq: number): string | undefined {
    return seq === 0 ? GENESIS : this.#recent.get(seq)
  }

  /** chain(seq) for 0 <= seq <= head; undefined past the head. */
  async chainAt(seq: number): Promise<string | undefined> {
    if (seq > this.#head) return undefined
    return this.recentChain(seq) ?? this.chains.get(seqKey(seq))
  }

  async get(seq: number): Promise<Entry | undefined> {
    return this.entries.get(seqKey(seq))
  }

  async seqOf(id: string): Promise<number | undefined> {
    return this.ids.get(id)
  }

  /** `seqOf` of many ids in one read (a relay's batch: one trip to LevelDB, not one each). */
  async seqsOf(ids: string[]): Promise<(number | undefined)[]> {
    return ids.length === 0 ? [] : this.ids.getMany(ids)
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
