/**
 * Keeps the disk index equal to the log. The index follows the log by seq, like a replica
 * follows the relay: it remembers the last entry it took in (and that entry's chain value,
 * shared/chain.ts), and one task at a time reads what follows from the log, in batches, until
 * it reaches the head. A live batch (the replica's `applied`) is taken from the event when it
 * follows on; anything else (a start behind, a rebuild, a gap) is read from the log. So a
 * crash, a catch-up of 100,000 entries and a live message all go the same way, in the
 * background, and nothing waits for the index.
 *
 * A message is indexed as the views hold it NOW (edited text, files, deleted or not), looked up
 * by each entry that touched it: `message.posted`, `message.edited`, `message.deleted`. When a
 * partition merge truncates the log (`truncated`), every message the removed entries touched is
 * looked up again in the views (already reverted by the store) and the mark moves back to the
 * truncation point; what is re-applied comes through `applied`. An index whose mark is not on
 * the log (past the head, or another chain value there: a database swapped or truncated while
 * the daemon was down) or of another SEARCH_INDEX_VERSION is rebuilt from nothing.
 *
 * Sealed (end-to-end encrypted) messages are never put here, not even their file names: they
 * are passed to `onSealed` (sealed.ts keeps them in memory for members logged in here).
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { Entry, Message } from '../../shared/index.js'
import { isNoSpace } from '../errors/index.js'
import type { Store } from '../store/index.js'
import { type IndexDb, SEARCH_INDEX_VERSION } from './index-db.js'
import { docOf, type SearchDoc } from './tokens.js'

/** Entries read from the log per step of a catch-up or rebuild. */
export const INDEX_BATCH = 2000
/** Documents made (docOf, ~10–20 µs each) before the event loop gets a turn. */
const DOCS_PER_TURN = 100

/** A message an entry touched. */
export interface Touched {
  room: string
  id: string
}

export interface IndexProgress {
  done: number
  total: number
}

export class Indexer {
  #seq = 0
  #queue: Promise<void> = Promise.resolve()
  #pumping = false
  #stopped = false
  /** Entries (about) read by the current pump: a large one ends with an FTS5 optimize. */
  #pumped = 0
  /** A catch-up or rebuild is under way (progress is reported). */
  #catchingUp = false

  constructor(
    private readonly db: IndexDb,
    private readonly store: Store,
    private readonly log: Logger,
    /** Messages that are sealed, or that may have been (deleted, gone): for the in-memory indexes. */
    private readonly onSealed: (touched: Touched[]) => void = () => {},
  ) {}

  /** Opens the index, decides whether it must be rebuilt, and starts catching up in the background. */
  async start(): Promise<void> {
    const mark = await this.db.mark()
    const head = this.store.log.head
    const onLog = mark !== undefined && mark.seq <= head && (mark.seq === 0 || (await this.store.log.chainAt(mark.seq)) === mark.chain)
    if (mark?.version === SEARCH_INDEX_VERSION && onLog) this.#seq = mark.seq
    else {
      this.log.info({ found: mark ?? null, version: SEARCH_INDEX_VERSION, head }, 'building the search index from the log')
      await this.db.reset()
      this.#seq = 0
    }
    this.#catchingUp = this.#seq < head
    this.pump()
  }

  /** The last entry the index has taken in. */
  get seq(): number {
    return this.#seq
  }

  /**
   * "N of M" while a catch-up or rebuild runs (from the start, or whenever the index is more
   * than a batch behind the log: a replica catching up on a large backlog); null once the
   * index is at the log's head.
   */
  progress(): IndexProgress | null {
    const head = this.store.log.head
    const behind = head - this.#seq
    return behind > 0 && (this.#catchingUp || behind > INDEX_BATCH) ? { done: this.#seq, total: head } : null
  }

  /** The replica applied `entries`: index them (from the event when they follow on). */
  applied(entries: Entry[]): void {
    this.#enqueue(async () => {
      const fresh = entries.filter((e) => e.seq > this.#seq)
      if (fresh.length > 0 && fresh[0]!.seq === this.#seq + 1 && isRun(fresh)) await this.#take(fresh)
    })
    this.pump()
  }

  /** The replica truncated the log: take back what the removed entries did. */
  truncated(removed: Entry[]): void {
    if (removed.length === 0) return
    this.#enqueue(async () => {
      const point = removed[0]!.seq - 1
      const mine = removed.filter((e) => e.seq <= this.#seq)
      if (mine.length === 0) return
      // Messages the removed entries posted are gone; those they edited or deleted are as the views say now.
      const posted = mine.filter((e) => e.body.type === 'message.posted').map((e) => e.seq)
      await this.#refresh(touchedBy(mine), posted, Math.min(this.#seq, point))
      this.#seq = Math.min(this.#seq, point)
    })
    this.pump()
  }

  /** Resolves once everything asked so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    for (let q = this.#queue; ; q = this.#queue) {
      await q
      if (q === this.#queue && !this.#pumping) return
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await this.#queue
  }

  /** Reads the log from the mark to the head, a batch per task, so live work slips in between. */
  pump(): void {
    if (this.#pumping || this.#stopped) return
    this.#pumping = true
    const step = async () => {
      const head = this.store.log.head
      if (this.#stopped || this.#seq >= head) {
        this.#pumping = false
        // A rebuild or a long catch-up leaves dozens of FTS5 segments: merged once, queries read one.
        if (!this.#stopped) await this.db.settle(this.#catchingUp && this.#pumped > INDEX_BATCH)
        this.#catchingUp = false
        this.#pumped = 0
        return
      }
      this.#pumped += INDEX_BATCH
      const entries = await this.store.log.range(this.#seq + 1, INDEX_BATCH)
      if (entries.length > 0 && isRun(entries) && entries[0]!.seq === this.#seq + 1) await this.#take(entries)
      this.#enqueue(step)
    }
    this.#enqueue(step)
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((err) => {
      // The index is behind, not wrong: the mark did not move, the next pump tries again.
      this.#pumping = false
      // A full disk is not a fault of the index: it pauses, and the next new entry (which
      // comes once the store writes again) pumps it up to the log.
      if (isNoSpace(err))
        this.log.warn({ err, seq: this.#seq }, 'the disk is full: the search index pauses and catches up once space is back')
      else this.log.error({ err, seq: this.#seq }, 'updating the search index failed; search may miss recent messages until the next try')
    })
  }

  async #take(entries: Entry[]): Promise<void> {
    const last = entries[entries.length - 1]!.seq
    await this.#refresh(touchedBy(entries), [], last)
    this.#seq = last
  }

  /** Writes each touched message as the views hold it now, drops `gone`, and moves the mark to `seq`. */
  async #refresh(touched: Touched[], gone: number[], seq: number): Promise<void> {
    const put: SearchDoc[] = []
    const drop = new Set<number>(gone)
    const sealed: Touched[] = []
    // Looked up in two batched reads, not two reads a message; turned into documents a slice
    // at a time, so a rebuild of a large log leaves the event loop to the pages between slices.
    const found = await this.store.views.messagesByIds(touched)
    for (const [i, t] of touched.entries()) {
      if (i > 0 && i % DOCS_PER_TURN === 0) await nextTurn()
      const m = found[i]
      if (!m) {
        sealed.push(t) // posted by an entry that was taken back (its seq is in `gone`)
        continue
      }
      if (m.sealed || m.encrypted || m.deleted) drop.add(m.seq)
      if (m.sealed || m.deleted) sealed.push(t)
      if (!m.sealed && !m.deleted) put.push(docOf(m as Message))
    }
    const chain = seq === 0 ? '' : await this.store.log.chainAt(seq)
    if (chain === undefined) throw new Error(`the log has no chain value at ${seq}`)
    await this.db.write(put, [...drop], { seq, chain })
    if (sealed.length > 0) this.onSealed(sealed)
  }
}

function isRun(entries: Entry[]): boolean {
  return entries.every((e, i) => i === 0 || e.seq === entries[i - 1]!.seq + 1)
}

/** The messages these entries posted, edited or deleted, each once. */
export function touchedBy(entries: Entry[]): Touched[] {
  const out = new Map<string, Touched>()
  for (const e of entries) {
    const b = e.body
    if (b.type === 'message.posted') out.set(e.id, { room: b.room, id: e.id })
    else if (b.type === 'message.edited' || b.type === 'message.deleted') out.set(b.target, { room: b.room, id: b.target })
  }
  return [...out.values()]
}
