/**
 * Files of end-to-end encrypted rooms on disk (docs/ARCHITECTURE.md, "Private rooms end to
 * end"). On the sender's machine, when a message with files is posted into an encrypted room,
 * each of its blobs (a file, and a picture's display size and thumbnail) is sealed into a new
 * blob with a key of its own (daemon/sealing/file-stream.ts: libsodium secretstream), stored
 * under the SHA-256 of the ciphertext; once the message is queued the plaintext blobs go. The
 * relay and every other machine only ever hold, move and sweep the sealed blobs; a member's
 * daemon opens one on the fly, for that member's request.
 *
 * Streams both ways: a sealed blob is written while its plaintext is read, and opened while it
 * is sent, in constant memory.
 */
import { pipeline } from 'node:stream'
import type { Readable } from 'node:stream'
import type { FileRef, FileSeal, SealedBlob, SealedFileRef } from '../../shared/index.js'
import { UnavailableError } from '../errors/index.js'
import { newFileKey, openFileStream, sealedFileSize, sealFileStream } from '../sealing/index.js'
import type { BlobStore } from './blobs.js'
import { fileBlobs } from './refs.js'

/** Seals the plaintext blob `sha256` into a blob of its own; resolves to where it is and its key. */
export async function sealBlob(blobs: BlobStore, sha256: string): Promise<FileSeal> {
  const size = await blobs.size(sha256)
  if (size === null) throw new UnavailableError('file_unavailable', 'This machine no longer has the file to seal; upload it again.')
  await blobs.ensureRoom(sealedFileSize(size))
  const key = newFileKey()
  try {
    // The callback only sees what the sealed stream already carries to receive(): nothing to add.
    const sealed = pipeline(blobs.read(sha256), await sealFileStream(key), () => undefined)
    const stored = await blobs.receive(sealed, { maxBytes: sealedFileSize(size) })
    return { blob: stored.sha256, size: stored.size, key: key.toString('base64url') }
  } finally {
    key.fill(0)
  }
}

/**
 * A message's files sealed for an encrypted room: the refs with their seals (for the sealed
 * content) and the sealed blobs (for the visible entry).
 */
export async function sealFiles(blobs: BlobStore, files: FileRef[]): Promise<{ files: SealedFileRef[]; blobs: SealedBlob[] }> {
  const sealed: SealedFileRef[] = []
  for (const f of files) {
    const original = await sealBlob(blobs, f.sha256)
    const sizes = f.picture
      ? { display: await sealBlob(blobs, f.picture.display), thumbnail: await sealBlob(blobs, f.picture.thumbnail) }
      : {}
    sealed.push({ ...f, seal: { original, ...sizes } })
  }
  return { files: sealed, blobs: sealedBlobsOf(sealed) }
}

/** The sealed blobs a message's sealed files stand for, each once. */
export function sealedBlobsOf(files: SealedFileRef[]): SealedBlob[] {
  const out = new Map<string, SealedBlob>()
  for (const f of files)
    for (const s of [f.seal.original, f.seal.display, f.seal.thumbnail]) if (s) out.set(s.blob, { sha256: s.blob, size: s.size })
  return [...out.values()]
}

/**
 * Removes the plaintext blobs of files now sealed, but those `keep` names (a plain message
 * still waiting in the outbox carries the same bytes). Resolves to the blobs removed.
 */
export async function dropPlaintext(blobs: BlobStore, files: FileRef[], keep: ReadonlySet<string>): Promise<string[]> {
  const gone: string[] = []
  for (const sha256 of new Set(files.flatMap(fileBlobs))) {
    if (keep.has(sha256)) continue
    if ((await blobs.remove(sha256)) > 0) gone.push(sha256)
  }
  return gone
}

/**
 * The plaintext of a sealed blob, opened as it is read. The stream errors (FileTampered) at
 * the first chunk that does not open, or at its end when the final chunk never came; what it
 * gave before is authentic. The key is copied in and wiped when the stream closes.
 */
export async function openBlob(blobs: BlobStore, seal: FileSeal): Promise<Readable> {
  const key = Buffer.from(seal.key, 'base64url')
  try {
    const opener = await openFileStream(key)
    opener.once('close', () => key.fill(0))
    return pipeline(blobs.read(seal.blob), opener, () => undefined)
  } catch (err) {
    key.fill(0)
    throw err
  }
}
