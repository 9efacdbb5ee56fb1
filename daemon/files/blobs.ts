/**
 * The bytes of shared files, on disk, by SHA-256: `blobs/sha256/ab/abcdef…`. A blob is
 * written to a temporary file while its hash is computed (sink.ts), and renamed into place only
 * when it is complete and (if a hash was expected) verified, so a reader never sees half a file
 * and a file cut off in transfer is never kept. Streams in and out, in pieces of at most a few
 * MiB: a file is never held whole in memory.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, type ReadStream } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, statfs, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { InputError, SochatError } from '../errors/index.js'
import { BlobSink, pour } from './sink.js'

/** Kept free on the disk, beyond the file itself: a full disk breaks the database too. */
export const DISK_MARGIN_BYTES = 256 * 1024 * 1024

/**
 * A blob is read from disk in pieces this big (fs streams default to 64 KiB): each piece is one
 * disk read and one write to the socket, so a GiB sent to a peer or a page costs ~1,000 of
 * each rather than ~16,000, while the disk read and the socket write still overlap.
 */
export const READ_CHUNK_BYTES = 1024 * 1024

/** Told how far a part file got on disk, and when its bytes were thrown away (follow.ts's FetchProgress). */
export interface PartProgress {
  wrote(onDisk: number): void
  spoil(): void
}

export interface Stored {
  sha256: string
  size: number
}

export class BlobStore {
  private constructor(
    readonly dir: string,
    private readonly marginBytes: number,
  ) {}

  static async open(dir: string, marginBytes = DISK_MARGIN_BYTES): Promise<BlobStore> {
    await mkdir(join(dir, 'sha256'), { recursive: true, mode: 0o700 })
    await mkdir(join(dir, 'incoming'), { recursive: true, mode: 0o700 })
    // Whatever was arriving when the daemon stopped is incomplete by definition.
    await rm(join(dir, 'incoming'), { recursive: true, force: true })
    await mkdir(join(dir, 'incoming'), { recursive: true, mode: 0o700 })
    return new BlobStore(dir, marginBytes)
  }

  path(sha256: string): string {
    return join(this.dir, 'sha256', sha256.slice(0, 2), sha256)
  }

  /** The blob's size, or null when this machine does not have it. */
  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.path(sha256))).size
    } catch {
      return null
    }
  }

  /** Every blob here, with when it was last written (the sweep's age, sweep.ts). */
  async list(): Promise<{ sha256: string; mtimeMs: number }[]> {
    const out: { sha256: string; mtimeMs: number }[] = []
    const root = join(this.dir, 'sha256')
    for (const prefix of await readdir(root)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue
      for (const name of await readdir(join(root, prefix)).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue
        const st = await stat(join(root, prefix, name)).catch(() => null)
        if (st) out.push({ sha256: name, mtimeMs: st.mtimeMs })
      }
    }
    return out
  }

  /** Removes a blob; resolves to the bytes it held (0: it was not here). */
  async remove(sha256: string): Promise<number> {
    const size = await this.size(sha256)
    await rm(this.path(sha256), { force: true })
    return size ?? 0
  }

  /** Where a blob being fetched lands until it is complete and verified (partial). */
  partPath(sha256: string): string {
    return join(this.dir, 'incoming', `${sha256}.part`)
  }

  read(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.path(sha256), { ...range, highWaterMark: READ_CHUNK_BYTES })
  }

  /** Refuses, before anything is written, a file the disk cannot take with room to spare. */
  async ensureRoom(bytes: number): Promise<void> {
    const fs = await statfs(this.dir)
    const free = fs.bavail * fs.bsize
    if (free - bytes < this.marginBytes) {
      throw new SochatError(
        'disk_full',
        `This machine's disk has ${mib(free)} free; a ${mib(bytes)} file would leave too little for the chat itself. Free some space and try again.`,
      )
    }
  }

  /**
   * Stores what `body` carries, hashing it on the way; at most `maxBytes`, and when `expected`
   * is given, only if the bytes hash to it. Resolves once the blob is in place.
   */
  async receive(body: Readable, opts: { maxBytes: number; expected?: string }): Promise<Stored> {
    const temp = join(this.dir, 'incoming', randomBytes(12).toString('hex'))
    const sink = new BlobSink(temp, { append: false, maxBytes: opts.maxBytes, tooLarge: () => tooLarge(opts.maxBytes) })
    try {
      await pour(body, sink)
      await sink.settled()
      const sha256 = sink.hash.digest('hex')
      if (opts.expected && sha256 !== opts.expected) {
        throw new InputError(
          'file_mismatch',
          `The file arrived damaged (its SHA-256 is ${sha256.slice(0, 12)}…, not ${opts.expected.slice(0, 12)}…). Send it again.`,
        )
      }
      await this.place(temp, sha256)
      return { sha256, size: sink.size }
    } finally {
      // Closed before it is removed: no write still under way lands after the removal.
      await sink.settled()
      await rm(temp, { force: true })
    }
  }

  /**
   * Fetches `sha256` into a partial file that outlives a dropped transfer: `have()` says how
   * much arrived, `take(body)` appends what comes next (from any machine: the bytes are the
   * same everywhere) and, once the whole blob is there and hashes right, puts it in place. A
   * blob that hashes wrong is thrown away whole. `progress` is told how far the file got on
   * disk, and when arrived bytes were thrown away (pages following the fetch: follow.ts).
   */
  partial(
    sha256: string,
    maxBytes: number,
    progress?: PartProgress,
  ): { have: () => Promise<number>; take: (body: Readable, restart: boolean) => Promise<Stored> } {
    const file = this.partPath(sha256)
    const have = async () => {
      try {
        return (await stat(file)).size
      } catch {
        return 0
      }
    }
    const take = async (body: Readable, restart: boolean): Promise<Stored> => {
      if (restart && (await have()) > 0) {
        // Bytes a page may have read go; what replaces them is hashed from the start.
        await rm(file, { force: true })
        progress?.spoil()
      }
      const hash = createHash('sha256')
      const startSize = await have()
      // Only a resumed transfer reads back what it had: a fresh one hashes as the bytes arrive.
      if (startSize > 0) for await (const c of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) hash.update(c as Buffer)
      progress?.wrote(startSize)
      const sink = new BlobSink(file, {
        append: true,
        maxBytes,
        startSize,
        hash,
        tooLarge: () => tooLarge(maxBytes),
        ...(progress ? { onDisk: (bytes: number) => progress.wrote(bytes) } : {}),
      })
      try {
        await pour(body, sink)
      } catch (err) {
        await sink.settled()
        // Cut off, it is kept to resume from; over the limit, it never becomes a blob.
        if ((err as { code?: string }).code === 'file_too_large') {
          await rm(file, { force: true })
          progress?.spoil()
        }
        throw err
      }
      await sink.settled()
      const got = hash.digest('hex')
      if (got !== sha256) {
        await rm(file, { force: true })
        progress?.spoil()
        throw new InputError('file_mismatch', `The file arrived damaged (its SHA-256 is ${got.slice(0, 12)}…). It will be fetched again.`)
      }
      await this.place(file, sha256)
      return { sha256, size: sink.size }
    }
    return { have, take }
  }

  /** Moves a complete file (an upload) into the store under its hash, computed here. */
  async adopt(file: string): Promise<Stored> {
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
    const sha256 = hash.digest('hex')
    const size = (await stat(file)).size
    await this.place(file, sha256)
    // Its age for the sweep starts now, not at the upload's last piece: it is about to be posted.
    const now = new Date()
    await utimes(this.path(sha256), now, now)
    return { sha256, size }
  }

  /** Puts a complete, verified file in place under its hash (a rename: readers see all of it or nothing). */
  private async place(file: string, sha256: string): Promise<void> {
    await mkdir(join(this.dir, 'sha256', sha256.slice(0, 2)), { recursive: true, mode: 0o700 })
    await rename(file, this.path(sha256))
  }
}

const tooLarge = (maxBytes: number) => new InputError('file_too_large', `The file is over the ${mib(maxBytes)} limit.`)

export function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}
