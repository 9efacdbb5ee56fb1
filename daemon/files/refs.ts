import { EAGER_FILE_BYTES, type EntryBody, type FileRef } from '../../shared/index.js'

/** The blobs a file stands for: its bytes, and a picture's two smaller sizes. */
export function fileBlobs(f: FileRef): string[] {
  return [f.sha256, ...(f.picture ? [f.picture.thumbnail, f.picture.display] : [])]
}

/**
 * Every blob an entry refers to: what the relay must hold before ordering it. A sealed
 * message's are its `blobs` (ciphertext, by the ciphertext's SHA-256).
 */
export function blobsOf(body: EntryBody): string[] {
  if (body.type === 'message.posted') return [...(body.files ?? []).flatMap(fileBlobs), ...(body.blobs ?? []).map((b) => b.sha256)]
  if (body.type === 'account.avatar' && body.avatar) return [body.avatar]
  return []
}

/**
 * The blobs every machine copies as soon as the entry arrives: small files, picture sizes,
 * avatars. Of a sealed message's blobs nothing tells which is a picture's smaller size, so the
 * small ones are (a thumbnail and a display size are well under EAGER_FILE_BYTES).
 */
export function eagerBlobsOf(body: EntryBody): string[] {
  if (body.type !== 'message.posted') return blobsOf(body)
  return [
    ...(body.files ?? []).flatMap((f) => fileBlobs(f).filter((b) => b !== f.sha256 || f.size <= EAGER_FILE_BYTES)),
    ...(body.blobs ?? []).filter((b) => b.size <= EAGER_FILE_BYTES).map((b) => b.sha256),
  ]
}
