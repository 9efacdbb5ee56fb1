/**
 * Where a blob's bytes land on their way in (blobs.ts): one Writable that counts them, refuses
 * past a limit, hashes them and writes them to a file, in as few steps as the bytes allow.
 *
 * Why not `Transform` → `fs.createWriteStream`: over TLS a body arrives in records of at most
 * 16 KiB, ~65,000 per GiB, and with the defaults (16 KiB buffers) each one went through two
 * stream hops and, nearly always, a disk write of its own, with the socket paused and resumed
 * around each write (backpressure at 16 KiB). Here arriving pieces are hashed at once and
 * gathered until `SINK_WRITE_BYTES` are waiting (or `SINK_HOLD_MS` passed without that many,
 * or the body ended; the very first piece goes at once), then go to disk together in one
 * `writev` (no copy): ~1,000 writes per GiB rather than one every few records (issue 18: each
 * write is a promise, a thread-pool hop and a wake-up of the pages following the fetch, and
 * those were 1/8 of the opener's main thread). Pieces that arrive while a write is under way wait in the Writable's buffer
 * (up to `SINK_BUFFER_BYTES`); the socket is paused only when the disk is truly behind.
 */
import { createHash, type Hash } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'
import { finished, type Readable, Writable } from 'node:stream'
import { SochatError } from '../errors/index.js'

/** Bytes a sink takes in before it holds the sender back: about 15 ms of a gigabit link. */
export const SINK_BUFFER_BYTES = 2 * 1024 * 1024

/** Arrived bytes go to disk once this many wait: what a page following the fetch reads at a time (follow.ts). */
export const SINK_WRITE_BYTES = 1024 * 1024

/** Fewer than `SINK_WRITE_BYTES` (a slow link) still go to disk this long after the first of them arrived. */
const SINK_HOLD_MS = 20

export interface SinkOptions {
  /** Append to what the file holds (a resumed transfer) rather than start it afresh. */
  append: boolean
  /** The most bytes the whole blob may have, counting `startSize`. */
  maxBytes: number
  /** The error for a blob over `maxBytes` (file_too_large, saying the limit). */
  tooLarge: () => Error
  /** Bytes the blob already has (already hashed into `hash`). */
  startSize?: number
  /** The hash so far, for a resumed transfer; a fresh SHA-256 otherwise. */
  hash?: Hash
  /** Told the bytes on disk after each write (a page following the fetch reads up to there: follow.ts). */
  onDisk?: (bytes: number) => void
}

export class BlobSink extends Writable {
  readonly hash: Hash
  /** Bytes of the blob so far (hashed, and written or being written). */
  size: number
  /** Writes to disk so far, each of one or more pieces (how well arriving pieces are batched). */
  writes = 0
  readonly #path: string
  readonly #opts: SinkOptions
  #onDisk: number
  #file: FileHandle | null = null
  /** Writes, one after another: the file is closed only after them, so a late write never lands in a file taken over by the next transfer. */
  #writing: Promise<void> = Promise.resolve()
  /** Pieces taken (counted, hashed, acknowledged) and not yet written: fewer than `SINK_WRITE_BYTES`. */
  #held: Buffer[] = []
  #heldBytes = 0
  #holdTimer: NodeJS.Timeout | null = null

  constructor(path: string, opts: SinkOptions) {
    super({ highWaterMark: SINK_BUFFER_BYTES })
    this.#path = path
    this.#opts = opts
    this.hash = opts.hash ?? createHash('sha256')
    this.size = opts.startSize ?? 0
    this.#onDisk = this.size
  }

  override _construct(callback: (err?: Error | null) => void): void {
    open(this.#path, this.#opts.append ? 'a' : 'w', 0o600).then((file) => {
      this.#file = file
      callback()
    }, callback)
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.#take([chunk], callback)
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.#take(
      chunks.map((c) => c.chunk),
      callback,
    )
  }

  override _final(callback: (err?: Error | null) => void): void {
    // What is held goes to disk first: a body cut off keeps every byte that arrived (pour).
    this.#flush((err) => {
      if (err) return callback(err)
      const file = this.#file
      this.#file = null
      // Closed here rather than at destroy, so that an error closing it fails the transfer.
      ;(file ? file.close() : Promise.resolve()).then(() => callback(), callback)
    })
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.#stopHolding()
    const file = this.#file
    this.#file = null
    if (!file) return callback(err)
    this.#writing
      .catch(() => undefined) // a failed write is already this sink's error
      .then(() => file.close())
      .then(
        () => callback(err),
        (closeErr: unknown) => callback(err ?? (closeErr as Error)),
      )
  }

  /** Resolves once the file is closed, however the sink ended (`pipeline` does not wait for that on an error). */
  settled(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => this.once('close', () => resolve()))
  }

  #take(buffers: Buffer[], callback: (err?: Error | null) => void): void {
    for (const b of buffers) {
      this.size += b.length
      // Counted before it is hashed or written: a body over the limit stops at the chunk that crosses it.
      if (this.size > this.#opts.maxBytes) return callback(this.#opts.tooLarge())
      this.hash.update(b)
      this.#held.push(b)
      this.#heldBytes += b.length
    }
    // The first piece goes at once: a page following the fetch starts with it (follow.ts).
    if (this.#heldBytes >= SINK_WRITE_BYTES || this.writes === 0) return this.#flush(callback)
    this.#holdTimer ??= setTimeout(() => {
      this.#holdTimer = null
      this.#flush((err) => err && this.destroy(err))
    }, SINK_HOLD_MS)
    callback()
  }

  /** Writes what is held, after any write under way; `callback` once it is on disk. */
  #flush(callback: (err?: Error | null) => void): void {
    this.#stopHolding()
    const buffers = this.#held
    const bytes = this.#heldBytes
    this.#held = []
    this.#heldBytes = 0
    if (bytes > 0) {
      this.writes++
      this.#writing = this.#writing.then(() => writeAll(this.#file!, buffers))
      this.#writing.then(
        () => {
          this.#onDisk += bytes
          this.#opts.onDisk?.(this.#onDisk)
        },
        () => undefined, // its failure reaches `callback` below
      )
    }
    this.#writing.then(() => callback(), callback)
  }

  #stopHolding(): void {
    if (this.#holdTimer) clearTimeout(this.#holdTimer)
    this.#holdTimer = null
  }
}

/**
 * Pours `body` into `sink` and resolves once all of it is on disk. When `body` fails part-way
 * (a dropped connection), what it delivered is still written before the error is thrown, so a
 * fetch cut off resumes from every byte that arrived (`pipeline` would drop what the sink
 * still held). When the sink fails (over the limit, the disk), `body` is destroyed: nothing
 * more of it is read.
 */
export function pour(body: Readable, sink: BlobSink): Promise<void> {
  return new Promise((resolve, reject) => {
    let cut: Error | null = null
    finished(body, (err) => {
      if (!err || sink.destroyed) return
      cut = err
      body.unpipe(sink)
      sink.end()
    })
    sink.once('error', (err) => {
      body.destroy()
      reject(err)
    })
    sink.once('finish', () => (cut ? reject(cut) : resolve()))
    body.pipe(sink)
  })
}

/** Writes every byte of `buffers`, going on after a short write (rare on a file, possible near a full disk). */
async function writeAll(file: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev(rest)
    if (bytesWritten === 0)
      throw new SochatError(
        'disk_full',
        "This machine's disk took none of a file's bytes: it is probably full. Free some space and try again.",
      )
    rest = skip(rest, bytesWritten)
  }
}

function skip(buffers: Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = []
  let left = bytes
  for (const b of buffers) {
    if (left >= b.length) left -= b.length
    else {
      out.push(left > 0 ? b.subarray(left) : b)
      left = 0
    }
  }
  return out
}
