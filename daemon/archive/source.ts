/**
 * What an export reads, given by its caller (daemon/http/routes/export.ts): the store's views,
 * the log's head when the export began (later messages are left out, so the count said up
 * front stays true), and two doors it must not open itself: `open`, which opens a sealed
 * message for the person exporting (daemon/http/message-opener.ts), and `thumbnail`, which
 * reads a picture's thumbnail through the very code the page's file route uses.
 */
import type { Logger } from 'pino'
import type { FileRef, Message, RoomKind } from '../../shared/index.js'
import type { Views } from '../store/index.js'

export interface ArchiveSource {
  views: Views
  /** The log's head when the export began: messages after it are not exported. */
  head: number
  network: string
  /** Who exports: only what they may read now is exported. */
  username: string
  open(message: Message): Promise<Message>
  /**
   * The bytes of a picture's thumbnail, or null when they cannot be had (logged by the caller).
   * `message` as the views hold it (sealed, if it is): a sealed file is opened from it.
   */
  thumbnail(message: Message, file: FileRef): Promise<Buffer | null>
  log: Logger
}

export type ArchiveFormat = 'json' | 'html'

export interface ArchiveRoom {
  id: string
  kind: RoomKind
  /** '' for a direct conversation. */
  name: string
  topic: string
  members: string[]
  encrypted: boolean
  /** Messages of this room in the export. */
  messages: number
}

/** Everything an export says before its first message: known before it starts writing. */
export interface ArchivePlan {
  network: string
  exportedBy: string
  /** ISO 8601. */
  exportedAt: string
  head: number
  rooms: ArchiveRoom[]
  /** Messages in the whole export: what a progress bar counts to. */
  total: number
}
