/**
 * What a finished upload becomes in a message: a FileRef. The bytes decide whether it is a
 * picture, never its name or the browser's word: a picture is stored as its upright,
 * metadata-free original plus a display size and a thumbnail (three blobs); anything else is
 * stored as it came. Something that starts like a picture but cannot be decoded (cut short,
 * a pixel bomb) is refused, with why. An upload may carry a picture edit (crop, turn, levels),
 * applied here to the uploaded bytes; the FileRef's width and height are then the edited ones.
 */
import { open, rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { FileRef, PictureRef } from '../../shared/index.js'
import { InputError } from '../errors/index.js'
import { probeImage, renderPicture } from '../media/index.js'
import type { BlobStore, Stored } from './blobs.js'
import type { UploadMeta } from './uploads.js'

/** Enough of a file for any image header we read. */
const HEADER_BYTES = 512 * 1024
/** Larger files are never decoded as pictures (a 12 MP JPEG is about 5 MiB). */
const PICTURE_MAX_BYTES = 64 * 1024 * 1024

export async function describeUpload(blobs: BlobStore, stored: Stored, meta: UploadMeta): Promise<FileRef> {
  const plain: FileRef = { sha256: stored.sha256, name: meta.name, size: stored.size, mime: meta.mime || 'application/octet-stream' }
  if (stored.size > PICTURE_MAX_BYTES || !(await looksLikePicture(blobs, stored.sha256))) {
    if (meta.edit)
      throw new InputError('picture_not_editable', `"${meta.name}" is not a picture SO-CHAT can edit; send it without the edit.`)
    return plain
  }
  // An edit is applied here, to the bytes as uploaded: the picture is encoded once (shared/picture-edit.ts).
  const picture = await renderPicture(await readAll(blobs, stored.sha256), meta.edit)
  const [original, display, thumbnail] = await Promise.all(
    [picture.original, picture.display, picture.thumbnail].map((r) => blobs.receive(Readable.from([r.data]), { maxBytes: r.data.length })),
  )
  // The upload as sent may carry a location and a camera serial: only the clean copy stays.
  if (original!.sha256 !== stored.sha256) await rm(blobs.path(stored.sha256), { force: true })
  return {
    sha256: original!.sha256,
    name: meta.name,
    size: original!.size,
    mime: picture.original.mime,
    picture: {
      width: picture.original.width,
      height: picture.original.height,
      mime: picture.display.mime as PictureRef['mime'],
      display: display!.sha256,
      thumbnail: thumbnail!.sha256,
      thumbnailWidth: picture.thumbnail.width,
      thumbnailHeight: picture.thumbnail.height,
    },
  }
}

async function looksLikePicture(blobs: BlobStore, sha256: string): Promise<boolean> {
  const file = await open(blobs.path(sha256))
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0)
    await probeImage(buffer.subarray(0, bytesRead))
    return true
  } catch (err) {
    // A header we read but refuse (too many pixels, HEIC) is still a picture: say why.
    if ((err as { code?: string }).code === 'image_too_large') throw err
    return false
  } finally {
    await file.close()
  }
}

async function readAll(blobs: BlobStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of blobs.read(sha256)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
