/**
 * A file's bytes in an end-to-end encrypted room: libsodium's secretstream
 * (`crypto_secretstream_xchacha20poly1305`: XChaCha20-Poly1305 in libsodium's streaming
 * construction, a 24-byte header then one authenticated chunk after another, each chunk's key
 * and nonce ratcheted from the last), under a key of its own: 32 random bytes per file (and per
 * picture rendition), which travel only inside the message's sealed content (content.ts).
 *
 * The stream is cut into chunks of FILE_CHUNK_BYTES of plaintext; each becomes that plus 17
 * bytes (a tag byte and the Poly1305 MAC). The last chunk — a short one, or a full one when the
 * file ends on a chunk boundary, or an empty one for an empty file — carries TAG_FINAL, and
 * every other TAG_MESSAGE. Secretstream itself makes a chunk moved, dropped, duplicated or
 * altered fail to open; TAG_FINAL on the last is what makes a stream cut short (truncated on a
 * chunk boundary) fail too: `openFileStream` errors at its end when the final tag never came,
 * and when anything follows a final tag.
 *
 * Both sides are Transform streams holding at most one chunk and a read's worth of bytes, so a
 * file of any size goes through in constant memory. A chunk is passed on only once it has
 * opened: what comes out of `openFileStream` before an error is an authentic prefix of the
 * file, never altered bytes.
 *
 * libsodium-wrappers keeps a stream's 52-byte state (the running key) on its WebAssembly heap
 * and never frees it; `dropState` wipes and frees it when the stream is destroyed (at its end,
 * or when it fails), once.
 */
import { randomBytes } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { loadSodium, type Sodium } from './sodium.js'

export const FILE_KEY_BYTES = 32
/** Plaintext bytes per secretstream chunk: small enough to keep memory flat, large enough that the 17 bytes of each are noise. */
export const FILE_CHUNK_BYTES = 64 * 1024
const HEADER_BYTES = 24
const CHUNK_OVERHEAD = 17
const SEALED_CHUNK_BYTES = FILE_CHUNK_BYTES + CHUNK_OVERHEAD

/** A new file key, from node:crypto's CSPRNG (as room keys are). */
export function newFileKey(): Buffer {
  return randomBytes(FILE_KEY_BYTES)
}

/** The size of a file sealed by `sealFileStream`, from its plaintext size. */
export function sealedFileSize(plainBytes: number): number {
  const chunks = Math.max(1, Math.ceil(plainBytes / FILE_CHUNK_BYTES))
  return HEADER_BYTES + plainBytes + chunks * CHUNK_OVERHEAD
}

/** The plaintext size of a sealed file of `sealedBytes`; null when no sealed file has that size. */
export function openedFileSize(sealedBytes: number): number | null {
  const body = sealedBytes - HEADER_BYTES
  if (body < CHUNK_OVERHEAD) return null
  const chunks = Math.ceil(body / SEALED_CHUNK_BYTES)
  const plain = body - chunks * CHUNK_OVERHEAD
  return sealedFileSize(plain) === sealedBytes ? plain : null
}

/** Encrypts what passes through under `key` (the caller keeps and wipes the key). */
export async function sealFileStream(key: Uint8Array): Promise<Transform> {
  const sodium = await loadSodium()
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key)
  let pending: Buffer = Buffer.alloc(0)
  let started = false
  const push = (t: Transform, chunk: Buffer, tag: number) =>
    t.push(sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, null, tag))
  return new Transform({
    transform(data: Buffer, _enc, done: TransformCallback) {
      if (!started) {
        this.push(Buffer.from(header))
        started = true
      }
      pending = pending.length === 0 ? data : Buffer.concat([pending, data])
      // The last full chunk is held back: it may be the final one, which carries TAG_FINAL.
      while (pending.length > FILE_CHUNK_BYTES) {
        push(this, pending.subarray(0, FILE_CHUNK_BYTES), sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        pending = pending.subarray(FILE_CHUNK_BYTES)
      }
      done()
    },
    flush(done: TransformCallback) {
      if (!started) this.push(Buffer.from(header))
      push(this, pending, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
      pending = Buffer.alloc(0)
      done()
    },
    destroy(err, done) {
      dropState(sodium, state)
      done(err)
    },
  })
}

/** Why a sealed file did not open: the stream errors with this (code `file_tampered`). */
export class FileTampered extends Error {
  override readonly name = 'FileTampered'
  readonly code = 'file_tampered'
}

/**
 * Decrypts what passes through under `key`; errors with FileTampered when a chunk does not
 * open (altered, reordered, wrong key), when the stream ends before its final chunk
 * (truncated), or when bytes follow the final chunk.
 */
export async function openFileStream(key: Uint8Array): Promise<Transform> {
  const sodium = await loadSodium()
  let state: unknown = null
  let pending: Buffer = Buffer.alloc(0)
  const open = (t: Transform, chunk: Buffer, last: boolean): void => {
    let out: { message: Uint8Array; tag: number } | false
    try {
      out = sodium.crypto_secretstream_xchacha20poly1305_pull(state as never, chunk, null)
    } catch {
      out = false
    }
    if (!out) throw new FileTampered('a chunk of the file does not open under its key: altered, reordered, or another key')
    const final = out.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
    if (final !== last) throw new FileTampered(final ? 'bytes follow the end of the file' : 'the file was cut short')
    // A view, not a copy: libsodium-wrappers hands back a fresh array of its own.
    t.push(Buffer.from(out.message.buffer, out.message.byteOffset, out.message.byteLength))
  }
  return new Transform({
    transform(data: Buffer, _enc, done: TransformCallback) {
      pending = pending.length === 0 ? data : Buffer.concat([pending, data])
      try {
        if (state === null) {
          if (pending.length < HEADER_BYTES) return done()
          state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(pending.subarray(0, HEADER_BYTES), key)
          pending = pending.subarray(HEADER_BYTES)
        }
        // A chunk is opened only when more follows it, so the last is opened in flush, as the last.
        while (pending.length > SEALED_CHUNK_BYTES) {
          open(this, pending.subarray(0, SEALED_CHUNK_BYTES), false)
          pending = pending.subarray(SEALED_CHUNK_BYTES)
        }
        done()
      } catch (err) {
        done(err instanceof FileTampered ? err : new FileTampered('the file does not open under its key'))
      }
    },
    flush(done: TransformCallback) {
      try {
        if (state === null || pending.length < CHUNK_OVERHEAD) throw new FileTampered('the file was cut short')
        open(this, pending, true)
        done()
      } catch (err) {
        done(err as Error)
      } finally {
        pending = Buffer.alloc(0)
      }
    },
    destroy(err, done) {
      if (state !== null) dropState(sodium, state)
      state = null
      done(err)
    },
  })
}

/** Wipes and frees a secretstream state on libsodium's heap (libsodium-wrappers never frees it). */
function dropState(sodium: Sodium, state: unknown): void {
  const lib = (sodium as unknown as { libsodium?: { HEAPU8?: Uint8Array; _free?: (p: number) => void } }).libsodium
  if (typeof state !== 'number' || !lib?.HEAPU8 || !lib._free) return
  lib.HEAPU8.fill(0, state, state + 52)
  lib._free(state)
}
