/**
 * The live feed's frames read defensively, without the DOM (tested in Node): a frame becomes
 * a UiEvent only in shared's shape; anything else is dropped, never thrown. live-feed.ts
 * owns the socket.
 */
import type { Message, Status, TimelineNotice, UiEvent } from '../../../shared/index.js'

/** Accepts only frames shaped like shared's UiEvent; anything else is dropped, never thrown. */
export function parseUiEvent(raw: string): UiEvent | null {
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    return null
  }
  if (!isRecord(data)) return null
  if (data.type === 'message' && isMessage(data.message)) return { type: 'message', message: data.message }
  if (data.type === 'status' && isStatus(data.status)) return { type: 'status', status: data.status }
  if (data.type === 'history') return { type: 'history' }
  if (data.type === 'rooms') return { type: 'rooms' }
  if (data.type === 'machines') return { type: 'machines' }
  if (data.type === 'avatar' && isNonEmpty(data.username)) return { type: 'avatar', username: data.username }
  if (data.type === 'profile' && isNonEmpty(data.username)) return { type: 'profile', username: data.username }
  if (data.type === 'notice' && isNotice(data.notice)) return { type: 'notice', notice: data.notice }
  if (data.type === 'updated' && isMessage(data.message)) return { type: 'updated', message: data.message }
  if (data.type === 'read' && typeof data.room === 'string' && isCount(data.seq)) return { type: 'read', room: data.room, seq: data.seq }
  if (data.type === 'typing' && typeof data.room === 'string' && isNonEmpty(data.username) && typeof data.on === 'boolean') {
    return { type: 'typing', room: data.room, username: data.username, on: data.on }
  }
  if (data.type === 'failed' && isNonEmpty(data.id) && typeof data.code === 'string') {
    // The reason is for people; a missing one falls back to the code's own sentence later.
    return { type: 'failed', id: data.id, code: data.code, message: typeof data.message === 'string' ? data.message : '' }
  }
  return null
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export function isMessage(v: unknown): v is Message {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.seq === 'number' &&
    typeof v.room === 'string' &&
    typeof v.author === 'string' &&
    typeof v.text === 'string' &&
    typeof v.ts === 'number' &&
    (v.reactions === undefined || (Array.isArray(v.reactions) && v.reactions.every(isReaction)))
  )
}

/** A key notice (timeline/notice-row.ts draws it): its fingerprint is 12 groups of 5 digits. */
export function isNotice(v: unknown): v is TimelineNotice {
  return (
    isRecord(v) &&
    typeof v.room === 'string' &&
    isCount(v.seq) &&
    typeof v.ts === 'number' &&
    (v.kind === 'keys.changed' || v.kind === 'keys.first') &&
    isNonEmpty(v.username) &&
    typeof v.fingerprint === 'string' &&
    /^(\d{5} ){11}\d{5}$/.test(v.fingerprint)
  )
}

function isReaction(v: unknown): boolean {
  return isRecord(v) && typeof v.emoji === 'string' && Array.isArray(v.users) && v.users.every((u) => typeof u === 'string')
}

/** A seq or a count: a whole number, not negative. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function isNonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0
}

function isStatus(v: unknown): v is Status {
  return isRecord(v) && typeof v.role === 'string' && Array.isArray(v.online)
}
