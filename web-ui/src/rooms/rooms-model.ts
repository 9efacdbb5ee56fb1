/**
 * The sidebar's conversations without the DOM, so the Node tests can run them: how rooms and
 * direct messages are ordered and named, what the unread badges and the tab title add up to,
 * how a live message moves them, and the `#room=<id>` address. The daemon's GET /rooms is the
 * truth; between two fetches the page only counts what it saw arrive.
 */
import type { Message, RoomSummary } from '../../../shared/index.js'
import { GENERAL_ROOM, ROOM_ID_PATTERN } from '../../../shared/limits.js'
import { directTitle } from '../../../shared/rooms.js'
import { isCount, isRecord } from '../app/ui-event-model.js'
import { byOthers } from '../timeline/unread-model.js'

export function isRoomId(v: unknown): v is string {
  return typeof v === 'string' && ROOM_ID_PATTERN.test(v)
}

export function roomPath(room: string): string {
  return `/api/v1/rooms/${encodeURIComponent(room)}`
}

/** What the page calls a room: "general", or "bob, carol" for a direct conversation. */
export function roomLabel(room: Pick<RoomSummary, 'kind' | 'name' | 'members'>, me: string | null): string {
  return room.kind === 'direct' ? directTitle(room.members, me) : room.name
}

/** The composer's placeholder: "Message #general", "Message bob". */
export function placeholderFor(room: Pick<RoomSummary, 'kind' | 'name' | 'members'>, me: string | null): string {
  return `Message ${room.kind === 'direct' ? '' : '#'}${roomLabel(room, me)}`
}

export function isRoomSummary(v: unknown): v is RoomSummary {
  return (
    isRecord(v) &&
    isRoomId(v.id) &&
    (v.kind === 'public' || v.kind === 'private' || v.kind === 'direct') &&
    typeof v.name === 'string' &&
    typeof v.topic === 'string' &&
    isCount(v.memberCount) &&
    Array.isArray(v.members) &&
    v.members.every((m) => typeof m === 'string') &&
    typeof v.joined === 'boolean' &&
    isCount(v.unread) &&
    isCount(v.mentions) &&
    isCount(v.lastSeq) &&
    (v.notify === 'all' || v.notify === 'mentions' || v.notify === 'mute')
  )
}

/** `{rooms: [...]}` with the well-formed ones kept; null when it is not that shape at all. */
export function parseRooms(json: unknown): RoomSummary[] | null {
  if (!isRecord(json) || !Array.isArray(json.rooms)) return null
  return json.rooms.filter(isRoomSummary)
}

export function parseRoom(json: unknown): RoomSummary | null {
  return isRecord(json) && isRoomSummary(json.room) ? json.room : null
}

export interface Sidebar {
  /** Joined public and private rooms: general first, then by name. */
  rooms: RoomSummary[]
  /** Direct conversations, the most recent activity first. */
  directs: RoomSummary[]
}

export function sidebarOrder(all: readonly RoomSummary[], me: string | null): Sidebar {
  const rooms = all
    .filter((r) => r.kind !== 'direct' && r.joined)
    .sort((a, b) => (a.id === GENERAL_ROOM ? -1 : b.id === GENERAL_ROOM ? 1 : a.name.localeCompare(b.name)))
  const directs = all
    .filter((r) => r.kind === 'direct')
    .sort((a, b) => b.lastSeq - a.lastSeq || roomLabel(a, me).localeCompare(roomLabel(b, me)))
  return { rooms, directs }
}

/**
 * Unread across every conversation, for the tab title. The room on screen counts what the
 * page counts (it sees what is read as it happens); the others what the daemon said plus
 * what arrived since.
 */
export function unreadAcross(all: readonly RoomSummary[], current: { id: string; unread: number } | null): number {
  let n = current?.unread ?? 0
  for (const r of all) if (r.id !== current?.id && r.joined) n += r.unread
  return n
}

/** The badge's words: "3 unread" or "2 mentions, 3 unread"; '' for nothing. */
export function badgeLabel(room: Pick<RoomSummary, 'unread' | 'mentions'>): string {
  if (room.unread === 0) return ''
  const unread = `${room.unread.toLocaleString('en')} unread`
  if (room.mentions === 0) return unread
  return `${room.mentions} mention${room.mentions === 1 ? '' : 's'}, ${unread}`
}

/**
 * A live message, in the room list: newer activity, and one more unread (a mention too) when
 * it is by someone else in a room not on screen. Returns false when the room is not in the
 * list (a new direct conversation): the list must be fetched again.
 */
export function noteArrival(
  all: RoomSummary[],
  message: Pick<Message, 'room' | 'seq' | 'author'>,
  me: string,
  opts: { current: string | null; mentionsMe: boolean },
): boolean {
  const i = all.findIndex((r) => r.id === message.room)
  const room = all[i]
  if (!room) return false
  if (message.seq <= room.lastSeq) return true
  const counts = message.room !== opts.current && room.joined && byOthers(message, me)
  all[i] = {
    ...room,
    lastSeq: message.seq,
    unread: room.unread + (counts ? 1 : 0),
    mentions: room.mentions + (counts && opts.mentionsMe ? 1 : 0),
  }
  return true
}

/** The room a `#room=<id>` address names, or null. */
export function roomFromHash(hash: string): string | null {
  const m = /^#room=([^&]+)$/.exec(hash)
  const id = m ? decodeURIComponent(m[1]!) : null
  return isRoomId(id) ? id : null
}

export function hashFor(room: string): string {
  return `#room=${encodeURIComponent(room)}`
}
