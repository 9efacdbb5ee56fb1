/**
 * Files in words and addresses, without the DOM (tested in Node): sizes a person reads, the
 * relay's limit checked before a byte is sent, a file's kind and icon, where each size of a
 * file is served, and how a message's FileRef is shown. A FileRef comes from other machines,
 * so it is checked here before any part of it goes into an address or the page.
 */
import type { FileRef, PictureRef } from '../../../shared/files.js'
import { DISPLAY_PX } from '../../../shared/limits.js'

// shared/files.ts holds these next to zod schemas; its values would pull zod into the bundle.
export const MAX_FILES_PER_MESSAGE = 10
const SHA256 = /^[a-f0-9]{64}$/
const PICTURE_MIMES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif'])

const MIB = 1024 * 1024

/** "900 bytes", "1.5 KB", "12 MB", "1.2 GB": one decimal below ten, none above. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const shown = value < 10 && !Number.isInteger(value) ? value.toFixed(1) : String(Math.round(value))
  return `${shown} ${units[unit]}`
}

/** The relay's limit as the daemon says it: "1 MiB", "100 MiB", "1.5 MiB". */
export function mibText(bytes: number): string {
  const value = bytes / MIB
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`
}

/**
 * Why a file cannot be uploaded at all, in words, or null. Checked before the upload starts,
 * so a 2 GB video is refused at once instead of after minutes of sending. `limit` null: the
 * page does not know the relay's limit yet, and the daemon checks it instead.
 */
export function sizeProblem(name: string, size: number, limit: number | null): string | null {
  if (limit === null || size <= limit) return null
  return `“${name}” is ${mibText(size)}; the relay takes files up to ${mibText(limit)}. Share it another way, or send a smaller file.`
}

/** Said when an eleventh file is added: the daemon takes ten per message. */
export function tooManyText(skipped: number): string {
  const files = skipped === 1 ? '1 file was' : `${skipped} files were`
  return `A message carries at most ${MAX_FILES_PER_MESSAGE} files; ${files} not added. Send these first.`
}

export type FileKind = 'picture' | 'pdf' | 'archive' | 'audio' | 'video' | 'text' | 'sheet' | 'document' | 'other'

const EXTENSIONS: Record<string, FileKind> = {
  pdf: 'pdf',
  zip: 'archive',
  gz: 'archive',
  tgz: 'archive',
  '7z': 'archive',
  rar: 'archive',
  tar: 'archive',
  xz: 'archive',
  bz2: 'archive',
  mp3: 'audio',
  wav: 'audio',
  ogg: 'audio',
  flac: 'audio',
  m4a: 'audio',
  opus: 'audio',
  mp4: 'video',
  mov: 'video',
  mkv: 'video',
  webm: 'video',
  avi: 'video',
  txt: 'text',
  md: 'text',
  log: 'text',
  json: 'text',
  csv: 'sheet',
  xlsx: 'sheet',
  xls: 'sheet',
  ods: 'sheet',
  doc: 'document',
  docx: 'document',
  odt: 'document',
  rtf: 'document',
  ppt: 'document',
  pptx: 'document',
  odp: 'document',
  jpg: 'picture',
  jpeg: 'picture',
  png: 'picture',
  gif: 'picture',
  webp: 'picture',
  heic: 'picture',
  svg: 'picture',
  tif: 'picture',
  tiff: 'picture',
}

const ICONS: Record<FileKind, string> = {
  picture: '🖼️',
  pdf: '📕',
  archive: '🗜️',
  audio: '🎵',
  video: '🎬',
  text: '📝',
  sheet: '📊',
  document: '📄',
  other: '📎',
}

const KIND_WORDS: Record<FileKind, string> = {
  picture: 'Image file',
  pdf: 'PDF',
  archive: 'Archive',
  audio: 'Audio',
  video: 'Video',
  text: 'Text',
  sheet: 'Spreadsheet',
  document: 'Document',
  other: 'File',
}

/** By extension first (what people recognise), then by the sender's MIME type. */
export function fileKind(name: string, mime: string): FileKind {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase()
  const byExt = ext ? EXTENSIONS[ext] : undefined
  if (byExt) return byExt
  const top = mime.split('/')[0]
  if (top === 'image') return 'picture'
  if (top === 'audio' || top === 'video' || top === 'text') return top
  return mime === 'application/pdf' ? 'pdf' : 'other'
}

export function kindIcon(kind: FileKind): string {
  return ICONS[kind]
}

export function kindWords(kind: FileKind): string {
  return KIND_WORDS[kind]
}

export type FileSize = 'thumbnail' | 'display' | 'original'

/** Where the daemon serves one size of a message's file (fetching it from others first if needed). */
export function fileUrl(room: string, messageId: string, sha256: string, size: FileSize): string {
  const base = `/api/v1/rooms/${encodeURIComponent(room)}/messages/${encodeURIComponent(messageId)}/files/${sha256}`
  return size === 'original' ? base : `${base}?size=${size}`
}

function isPictureRef(v: unknown): v is PictureRef {
  if (typeof v !== 'object' || v === null) return false
  const p = v as Record<string, unknown>
  const dims = [p.width, p.height, p.thumbnailWidth, p.thumbnailHeight]
  return (
    dims.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d > 0) &&
    typeof p.thumbnail === 'string' &&
    SHA256.test(p.thumbnail) &&
    typeof p.display === 'string' &&
    SHA256.test(p.display) &&
    typeof p.mime === 'string' &&
    PICTURE_MIMES.has(p.mime)
  )
}

/** A FileRef the page can show: a real SHA-256 (it goes into addresses), a name, a size. */
export function isFileRef(v: unknown): v is FileRef {
  if (typeof v !== 'object' || v === null) return false
  const f = v as Record<string, unknown>
  return (
    typeof f.sha256 === 'string' &&
    SHA256.test(f.sha256) &&
    typeof f.name === 'string' &&
    f.name.length > 0 &&
    typeof f.size === 'number' &&
    Number.isSafeInteger(f.size) &&
    f.size >= 0 &&
    typeof f.mime === 'string' &&
    (f.picture === undefined || isPictureRef(f.picture))
  )
}

/**
 * How a message's file shows: a picture inline (only once the message is in the log, since
 * the daemon serves files by message), a card with a download link otherwise, or a card
 * without one while the message still waits for the relay.
 */
export type FileShow = { kind: 'picture'; file: FileRef & { picture: PictureRef } } | { kind: 'card'; file: FileRef; download: boolean }

export function showFiles(files: unknown, sent: boolean, deleted = false): FileShow[] {
  if (deleted || !Array.isArray(files)) return []
  return files
    .filter(isFileRef)
    .slice(0, MAX_FILES_PER_MESSAGE)
    .map(
      (file): FileShow =>
        file.picture && sent
          ? { kind: 'picture', file: file as FileRef & { picture: PictureRef } }
          : { kind: 'card', file, download: sent },
    )
}

/** The display rendition's size: the picture fitted inside DISPLAY_PX, never enlarged. */
export function displaySize(p: Pick<PictureRef, 'width' | 'height'>): { width: number; height: number } {
  const scale = Math.min(1, DISPLAY_PX / Math.max(p.width, p.height))
  return { width: Math.max(1, Math.round(p.width * scale)), height: Math.max(1, Math.round(p.height * scale)) }
}

/** A pasted picture comes as "image.png": give it a name that says when it was taken. */
export function pastedName(name: string, type: string, now: Date): string {
  if (name && name !== 'image.png' && name !== 'image.jpeg' && name !== 'image.jpg') return name
  const ext = type === 'image/jpeg' ? 'jpg' : (type.split('/')[1] ?? 'png').replace(/[^a-z0-9]/g, '') || 'png'
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}.${pad(now.getMinutes())}.${pad(now.getSeconds())}`
  return `Pasted image ${stamp}.${ext}`
}
