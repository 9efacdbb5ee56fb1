/**
 * One message as an export holds it: opened for the person exporting (a sealed message's text,
 * or why it cannot be read), with exactly the fields docs/API.md ("Export") lists, in a fixed
 * order, and never its sealed form.
 */
import type { FileRef, Message, ReactionCount, UnreadableReason } from '../../shared/index.js'

export interface ArchiveFile {
  sha256: string
  name: string
  size: number
  mime: string
  picture?: { width: number; height: number; thumbnail: string; mime: string }
}

export interface ArchiveMessage {
  id: string
  seq: number
  room: string
  author: string
  /** Milliseconds since 1970 (UTC). */
  ts: number
  /** '' when deleted, or when it is sealed and cannot be read here (see `unreadable`). */
  text: string
  edited: number | null
  deleted: boolean
  reactions: ReactionCount[]
  files: ArchiveFile[]
  encrypted: boolean
  unreadable: UnreadableReason | null
}

export function archiveFile(f: FileRef): ArchiveFile {
  const file: ArchiveFile = { sha256: f.sha256, name: f.name, size: f.size, mime: f.mime }
  if (f.picture) file.picture = { width: f.picture.width, height: f.picture.height, thumbnail: f.picture.thumbnail, mime: f.picture.mime }
  return file
}

/** `m` already opened (ArchiveSource.open). */
export function archiveMessage(m: Message): ArchiveMessage {
  return {
    id: m.id,
    seq: m.seq,
    room: m.room,
    author: m.author,
    ts: m.ts,
    text: m.deleted ? '' : m.text,
    edited: m.edited ?? null,
    deleted: m.deleted === true,
    reactions: (m.reactions ?? []).map((r) => ({ emoji: r.emoji, users: [...r.users] })),
    files: (m.files ?? []).map(archiveFile),
    encrypted: m.encrypted === true,
    unreadable: m.unreadable ?? null,
  }
}
