/**
 * Pictures as the chat keeps them: decoded for real (the bytes decide what it is, never the
 * name), turned upright by its EXIF orientation, with every piece of metadata dropped
 * (location included), and in three sizes: the original's pixels, a display size and an
 * inline thumbnail. An animated GIF or WebP stays animated in all three.
 *
 * Bounded: a picture over IMAGE_MAX_PIXELS per frame is refused from its header, before
 * anything is decoded; a truncated or corrupt file is refused instead of shown half grey.
 * sharp does the work on libuv's thread pool, so the chat's event loop keeps running while
 * it decodes.
 */
import type { Metadata, Sharp } from 'sharp'
import { DISPLAY_PX, IMAGE_MAX_PIXELS, THUMBNAIL_PX, type PictureEdit } from '../../shared/index.js'
import { InputError } from '../errors/index.js'
import { applyEdit, checkEdit } from './edits.js'

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff'
const FORMATS: Record<string, ImageFormat> = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', heif: 'avif', tiff: 'tiff' }
/** What each format is kept as: browsers show neither TIFF nor (everywhere) AVIF. */
const KEPT_AS: Record<ImageFormat, 'jpeg' | 'png' | 'webp' | 'gif'> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'jpeg',
  tiff: 'png',
}

export interface ImageInfo {
  format: ImageFormat
  /** Upright: after the EXIF orientation is applied. */
  width: number
  height: number
  frames: number
}

export interface Rendition {
  data: Buffer
  mime: string
  width: number
  height: number
}

export interface Picture {
  info: ImageInfo
  original: Rendition
  display: Rendition
  thumbnail: Rendition
}

type SharpOpener = typeof import('sharp')['default']

let library: Promise<SharpOpener> | null = null

/**
 * sharp with libvips, loaded at the first picture rather than at start: loaded, they hold about
 * 19 MiB of a daemon's memory (issue 18's idle budget), and most daemons go hours without a
 * picture to make (thumbnails, once made, are files served as they are).
 */
function sharp(): Promise<SharpOpener> {
  library ??= import('sharp').then((loaded) => loaded.default)
  return library
}

const OPEN = { limitInputPixels: IMAGE_MAX_PIXELS, failOn: 'truncated', animated: true } as const

/** What the bytes are, from their header alone; refuses what is not a picture we keep. */
export async function probeImage(data: Buffer): Promise<ImageInfo> {
  let meta: Metadata
  try {
    // The header only, with no pixel limit: the limit is checked below, to say so in words.
    meta = await (await sharp())(data, { animated: true, limitInputPixels: false }).metadata()
  } catch (cause) {
    throw new InputError(
      'unsupported_image',
      'That file is not a picture SO-CHAT can show (JPEG, PNG, WebP, GIF, AVIF or TIFF). Send it as a file instead.',
      { cause },
    )
  }
  const format = FORMATS[meta.format ?? '']
  if (!format || (meta.format === 'heif' && meta.compression !== 'av1')) {
    throw new InputError(
      'unsupported_image',
      `${(meta.format ?? 'this').toUpperCase()} pictures cannot be shown here (HEIC is not supported); send it as a file, or as JPEG or PNG.`,
    )
  }
  const frames = meta.pages ?? 1
  const width = meta.width ?? 0
  const height = meta.pageHeight ?? meta.height ?? 0
  if (width * height > IMAGE_MAX_PIXELS) {
    throw new InputError(
      'image_too_large',
      `The picture is ${width} × ${height} pixels; the most SO-CHAT opens is ${IMAGE_MAX_PIXELS / 1e6} megapixels. Send it as a file instead.`,
    )
  }
  const sideways = (meta.orientation ?? 1) >= 5
  return { format, width: sideways ? height : width, height: sideways ? width : height, frames }
}

/**
 * The three sizes of a picture, upright and without metadata; with `edit`, of the picture as
 * edited (daemon/media/edits.ts), each encoded once from `data`. `info` stays the upload's.
 */
export async function renderPicture(data: Buffer, edit?: PictureEdit): Promise<Picture> {
  const info = await probeImage(data)
  if (edit) checkEdit(edit, info)
  const [original, display, thumbnail] = await Promise.all([
    rendition(data, info, null, edit),
    rendition(data, info, DISPLAY_PX, edit),
    rendition(data, info, THUMBNAIL_PX, edit),
  ])
  return { info, original, display, thumbnail }
}

/** The inline thumbnail alone, as renderPicture makes it (bench/images.ts times this). */
export async function renderThumbnail(data: Buffer, edit?: PictureEdit): Promise<Rendition> {
  const info = await probeImage(data)
  if (edit) checkEdit(edit, info)
  return rendition(data, info, THUMBNAIL_PX, edit)
}

/**
 * One size, `px` on its longer side at most (null: the original's pixels). Speed rests on
 * libjpeg's shrink-on-load: with nothing but `autoOrient` (an input option) before `resize`,
 * sharp reads a JPEG at 1/2, 1/4 or 1/8 scale. A quarter turn or a crop before the resize (an
 * edit) turns that off, and so would `.rotate(angle)`, `.extract()` or `trim()` added here.
 */
async function rendition(data: Buffer, info: ImageInfo, px: number | null, edit?: PictureEdit): Promise<Rendition> {
  // autoOrient: upright by EXIF, so an edit's numbers mean what the person saw.
  const open = await sharp()
  const upright = open(data, OPEN).autoOrient()
  const pipeline = edit ? applyEdit(upright, edit) : upright
  try {
    return await encode(px ? pipeline.resize(px, px, { fit: 'inside', withoutEnlargement: true }) : pipeline, info)
  } catch (cause) {
    throw new InputError('corrupt_image', 'The picture is damaged or cut short, so it cannot be shown. Send it again, or as a file.', {
      cause,
    })
  }
}

async function encode(pipeline: Sharp, info: ImageInfo): Promise<Rendition> {
  const as = KEPT_AS[info.format]
  // Metadata is dropped unless asked for (sharp's default): EXIF, GPS, XMP, comments.
  const out =
    as === 'jpeg'
      ? pipeline.jpeg({ quality: 85, mozjpeg: true })
      : as === 'png'
        ? pipeline.png()
        : as === 'webp'
          ? pipeline.webp({ quality: 85 })
          : pipeline.gif()
  const { data, info: made } = await out.toBuffer({ resolveWithObject: true })
  const height = info.frames > 1 ? (made.pageHeight ?? made.height / info.frames) : made.height
  return { data, mime: `image/${as}`, width: made.width, height }
}

/** Profile pictures: a square of this many pixels, cut around what sharp finds interesting. */
export const AVATAR_PX = 256

/** A profile picture from a picture: upright, square, first frame only, no metadata, WebP. */
export async function squareAvatar(data: Buffer): Promise<Buffer> {
  await probeImage(data)
  try {
    return await (await sharp())(data, { ...OPEN, animated: false })
      .rotate()
      .resize(AVATAR_PX, AVATAR_PX, { fit: 'cover', position: 'attention' })
      .webp({ quality: 85 })
      .toBuffer()
  } catch (cause) {
    throw new InputError('corrupt_image', 'The picture is damaged or cut short, so it cannot be a profile picture. Choose another.', {
      cause,
    })
  }
}
