/**
 * Files no message refers to are removed. A blob is kept while any message in the views
 * names it (a file, or a picture's smaller sizes, or a sealed message's sealed blob), any account has it as its picture, or a
 * submission in this machine's outbox names it (a message waiting for a relay); a deleted
 * message's files go with it (the views drop a deleted message's files, apply.ts): whoever
 * deletes a message with a picture expects the picture gone, not kept on every disk.
 *
 * Only blobs older than the grace period (1 hour) are candidates: a file is pushed to the
 * relay just before its message, copied or uploaded before it is posted, and a message can
 * wait for its turn; none of them may go in between. Uploads in progress are not blobs yet
 * (uploads.ts keeps them in uploads/ until they finish) and are not looked at here.
 *
 * Cheap on the hot path: nothing. It runs a minute after start and every 6 hours; it lists the
 * blobs first and reads the views (every message) only when one is old enough to go. Entries
 * applied while it reads are counted as references too, so a message ordered meanwhile keeps
 * its files.
 */
import type { Logger } from 'pino'
import type { Entry, FileRef, SealedBlob, Submission } from '../../shared/index.js'
import type { BlobStore } from './blobs.js'
import { blobsOf, fileBlobs } from './refs.js'

/** How old an unreferenced blob must be to go. */
export const SWEEP_GRACE_MS = 60 * 60_000
export const SWEEP_FIRST_MS = 60_000
export const SWEEP_EVERY_MS = 6 * 60 * 60_000

/** The blobs that go: unreferenced, and last written more than `graceMs` before `now`. Pure. */
export function sweepable(
  blobs: readonly { sha256: string; mtimeMs: number }[],
  referenced: ReadonlySet<string>,
  now: number,
  graceMs: number = SWEEP_GRACE_MS,
): string[] {
  return blobs.filter((b) => now - b.mtimeMs > graceMs && !referenced.has(b.sha256)).map((b) => b.sha256)
}

/** Where references come from: the views, the outbox, and entries applied while a sweep runs. */
export interface References {
  /** Every message's files and sealed blobs, in the views (deleted messages have none). */
  messageFiles: () => AsyncIterable<{ files?: FileRef[] | undefined; blobs?: SealedBlob[] | undefined }>
  /** Every account's picture. */
  avatars: () => Promise<string[]>
  /** Submissions not yet in the log. */
  pending: () => Promise<Submission[]>
  /** Calls `fn` with entries as they are applied; returns how to stop. */
  onApplied: (fn: (entries: Entry[]) => void) => () => void
}

export class BlobSweeper {
  #first: NodeJS.Timeout | null = null
  #every: NodeJS.Timeout | null = null
  #running: Promise<number> | null = null

  constructor(
    private readonly blobs: BlobStore,
    private readonly refs: References,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly graceMs: number = SWEEP_GRACE_MS,
  ) {}

  start(firstMs = SWEEP_FIRST_MS, everyMs = SWEEP_EVERY_MS): void {
    const run = () => void this.sweep().catch((err: unknown) => this.log.error({ err }, 'removing unreferenced files failed'))
    this.#first = setTimeout(run, firstMs)
    this.#every = setInterval(run, everyMs)
    this.#first.unref()
    this.#every.unref()
  }

  stop(): void {
    if (this.#first) clearTimeout(this.#first)
    if (this.#every) clearInterval(this.#every)
  }

  /** One sweep (one at a time); resolves to how many blobs were removed. */
  sweep(): Promise<number> {
    this.#running ??= this.run().finally(() => {
      this.#running = null
    })
    return this.#running
  }

  private async run(): Promise<number> {
    const now = this.now()
    const old = (await this.blobs.list()).filter((b) => now - b.mtimeMs > this.graceMs)
    if (old.length === 0) return 0
    const referenced = new Set<string>()
    const stop = this.refs.onApplied((entries) => {
      for (const e of entries) for (const b of blobsOf(e.body)) referenced.add(b)
    })
    try {
      for await (const m of this.refs.messageFiles()) {
        for (const f of m.files ?? []) for (const b of fileBlobs(f)) referenced.add(b)
        for (const b of m.blobs ?? []) referenced.add(b.sha256)
      }
      for (const a of await this.refs.avatars()) referenced.add(a)
      for (const s of await this.refs.pending()) for (const b of blobsOf(s.body)) referenced.add(b)
      const gone = sweepable(old, referenced, now, this.graceMs)
      let removed = 0
      let bytes = 0
      for (const sha256 of gone) {
        // Referenced while we were removing others (an entry applied since): kept.
        if (referenced.has(sha256)) continue
        bytes += await this.blobs.remove(sha256)
        removed++
      }
      if (removed > 0) this.log.info({ removed, bytes, kept: old.length - removed }, 'removed files no message refers to')
      return removed
    } finally {
      stop()
    }
  }
}
