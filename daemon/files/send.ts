/**
 * A blob sent from disk into a response through two buffers used over and over (issue 18).
 *
 * Why not `createReadStream(...).pipe(res)`: an fs stream allocates a new buffer for every
 * read, and V8 counts each buffer's bytes against the heap's allocation limit until a
 * scavenge frees them (one comes after 32 MiB of buffers). A daemon's heap is ~21 MB live with
 * a limit of 31–45 MB, so reading through fresh buffers set off a full mark-compact every
 * 10–25 MiB served (--trace-gc: 32 for 256 MiB), 10–50 ms each on the main thread: the relay
 * spent more CPU in the collector than in TLS while serving a file. Here the same two buffers
 * take turns: one is read into while the other is being written, and a buffer is read into
 * again only once the response said its write is done (the socket has taken the bytes: TLS
 * encrypts them as they are written).
 */
import { open } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { READ_CHUNK_BYTES } from './blobs.js'

/**
 * Writes bytes `start` to `end` (inclusive; the end of the file when omitted) of `path` into
 * `out`, and resolves once `out` has taken the last of them; rejects when a read fails or
 * `out` closes first. Does not end `out`.
 */
export async function sendFromDisk(path: string, out: Writable, range: { start: number; end?: number } = { start: 0 }): Promise<void> {
  const file = await open(path, 'r')
  const gone = closed(out)
  const buffers = [Buffer.allocUnsafeSlow(READ_CHUNK_BYTES), Buffer.allocUnsafeSlow(READ_CHUNK_BYTES)]
  const writing: (Promise<void> | null)[] = [null, null]
  try {
    const last = range.end ?? Number.POSITIVE_INFINITY
    for (let position = range.start, turn = 0; position <= last; turn ^= 1) {
      // This buffer's previous bytes must have left before it is read into again.
      if (writing[turn]) await Promise.race([writing[turn], gone.promise])
      const want = Math.min(READ_CHUNK_BYTES, last - position + 1)
      const { bytesRead } = await file.read(buffers[turn]!, 0, want, position)
      if (bytesRead === 0) break
      position += bytesRead
      writing[turn] = written(out, buffers[turn]!.subarray(0, bytesRead))
    }
    await Promise.race([Promise.all(writing), gone.promise])
  } finally {
    gone.stop()
    await file.close()
  }
}

/** Resolves once `out` has taken `chunk` (its write callback), rejects when that write fails. */
function written(out: Writable, chunk: Buffer): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    out.write(chunk, (err) => (err ? reject(err) : resolve()))
  })
  // Awaited by the caller; this only keeps a failure seen after the other buffer's from going unhandled.
  done.catch(() => undefined)
  return done
}

/** A promise that rejects when `out` closes or fails before the transfer is done. */
function closed(out: Writable): { promise: Promise<never>; stop: () => void } {
  let onClose: () => void = () => undefined
  const promise = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error('the receiving side closed before the end of the file'))
    out.once('close', onClose)
  })
  promise.catch(() => undefined)
  return { promise, stop: () => out.off('close', onClose) }
}
