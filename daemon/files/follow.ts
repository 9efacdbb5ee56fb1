/**
 * A file sent to the page while it is still arriving from another machine (issue 18: opening
 * a file this machine lacks ran at 0.27× a plain GET, because the page got nothing until the
 * whole blob was fetched, verified and stored, and then read it again from disk).
 *
 * Why the page follows the part file on disk rather than a tee of the socket: the fetch
 * writes to `incoming/<sha256>.part` at the link's speed whatever the page does, so a slow (or
 * gone) page neither holds the fetch back nor makes the daemon buffer the file in memory; any
 * number of pages follow one fetch; and the bytes it reads were just written (page cache).
 *
 * What keeps it safe: the last byte is sent only once the whole blob hashed right and is in
 * place, and the response declares the full length. A blob that hashes wrong (the fetch then
 * throws the part away and may try another machine) errors every follower that has sent
 * anything, so the page's download fails short of its length: never a "complete" file of
 * wrong bytes, and nothing of it is stored.
 */
import { type FileHandle, open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { InputError } from '../errors/index.js'
import { READ_CHUNK_BYTES } from './blobs.js'

export type FetchOutcome = { ok: true; size: number } | { ok: false; error: Error }

/** How far one fetch has got: bytes of its part file on disk, and how it ended. */
export class FetchProgress {
  /** Bytes of the part file written to disk so far (a resumed transfer starts with what it had). */
  onDisk = 0
  /** How many times arrived bytes were thrown away for hashing wrong. */
  spoiled = 0
  outcome: FetchOutcome | null = null
  #waiting: (() => void)[] = []

  constructor(
    readonly partFile: string,
    readonly blobFile: string,
  ) {}

  wrote(onDisk: number): void {
    this.onDisk = onDisk
    this.#wake()
  }

  spoil(): void {
    this.spoiled++
    this.onDisk = 0
    this.#wake()
  }

  settle(outcome: FetchOutcome): void {
    this.outcome = outcome
    this.#wake()
  }

  /** Resolves at the next change (bytes written, spoiled, settled). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  /** Resolves once there is something to send (a byte on disk, or the blob in place); throws how the fetch failed. */
  async started(): Promise<void> {
    while (this.onDisk === 0 && !this.outcome) await this.changed()
    if (this.outcome && !this.outcome.ok) throw this.outcome.error
  }

  #wake(): void {
    const waiting = this.#waiting
    this.#waiting = []
    for (const resolve of waiting) resolve()
  }
}

/** A follower that has caught up reads once this much more is on disk: fewer reads, wake-ups and socket writes. */
const FOLLOW_BATCH_BYTES = READ_CHUNK_BYTES

const damaged = () =>
  new InputError('file_mismatch', 'The file arrived damaged from the machine it was fetched from; the download was stopped. Try again.')

/** The blob's `size` bytes, read from the part file as they land and from the blob once it is in place. */
export class BlobFollower extends Readable {
  #sent = 0
  readonly #file = new PositionalReader()
  /** `fetch.spoiled` when this follower last had sent nothing: bytes thrown away after that were (maybe) sent. */
  #spoiled: number

  constructor(
    private readonly fetch: FetchProgress,
    private readonly size: number,
  ) {
    super({ highWaterMark: READ_CHUNK_BYTES })
    this.#spoiled = fetch.spoiled
  }

  override _read(): void {
    this.#next().catch((err: Error) => this.destroy(err))
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.#file.close().then(
      () => callback(err),
      (closeErr: unknown) => callback(err ?? (closeErr as Error)),
    )
  }

  async #next(): Promise<void> {
    for (;;) {
      if (this.destroyed) return
      const f = this.fetch
      if (f.spoiled !== this.#spoiled) {
        if (this.#sent > 0) throw damaged()
        this.#spoiled = f.spoiled // nothing sent yet: follow the next try from its start
        await this.#file.close()
      }
      if (f.outcome && !f.outcome.ok) throw f.outcome.error
      if (f.outcome?.ok && f.outcome.size !== this.size) throw damaged()
      if (this.#sent >= this.size) {
        await this.#file.close()
        return void this.push(null)
      }
      // Before the verdict, never the last byte: a download that then fails is visibly short.
      const limit = f.outcome ? this.size : Math.min(f.onDisk, this.size - 1)
      // Caught up with the fetch: wait for a batch rather than send each write's few KiB (but
      // the first bytes go as soon as they are there: the page sees the download start).
      const more = this.#sent > 0 && !f.outcome && f.onDisk < this.size && limit - this.#sent < FOLLOW_BATCH_BYTES
      if (this.#sent < limit && !more) {
        const fromBlob = f.outcome !== null
        const chunk = await this.#file.read(fromBlob ? f.blobFile : f.partFile, this.#sent, Math.min(limit - this.#sent, READ_CHUNK_BYTES))
        if (chunk.length > 0) {
          this.#sent += chunk.length
          return void this.push(chunk)
        }
        if (fromBlob) throw new InputError('not_found', 'The file was removed from this machine while it was being sent.')
        // Nothing there: the part file was just renamed into place, or restarted; wait for the news.
        await this.#file.close()
        if (f.outcome) continue
      }
      await f.changed()
    }
  }
}

/**
 * Reads one file at positions through one open handle, reopened only when the path changes
 * (the part file, then the blob) or after `close` (the part file was restarted: a handle on
 * the removed file would read its old bytes), rather than opening and closing it for each
 * read: two more system calls and promises per read, half the follower's time reading
 * (a 256 MiB profile: 128 of 255 ms).
 */
class PositionalReader {
  #path: string | null = null
  #file: FileHandle | null = null

  /** Up to `bytes` of `path` from `position`; none when the file is not (or no longer) there. */
  async read(path: string, position: number, bytes: number): Promise<Buffer> {
    if (this.#path !== path) {
      await this.close()
      try {
        this.#file = await open(path, 'r')
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') return Buffer.alloc(0)
        throw err
      }
      this.#path = path
    }
    const buffer = Buffer.allocUnsafe(bytes)
    const { bytesRead } = await this.#file!.read(buffer, 0, bytes, position)
    return buffer.subarray(0, bytesRead)
  }

  async close(): Promise<void> {
    const file = this.#file
    this.#file = null
    this.#path = null
    await file?.close()
  }
}
