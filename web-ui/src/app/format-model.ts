/**
 * Pure text helpers for the page: no DOM, no globals beyond Intl, so the Node tests can run
 * them. Locale and "now" are parameters because a test must not depend on the machine's.
 */
import { MAX_MESSAGE_BYTES } from '../../../shared/limits.js'

const utf8 = new TextEncoder()

/** The relay measures a message in UTF-8 bytes, not characters; so must the page. */
export function utf8Bytes(text: string): number {
  return utf8.encode(text).length
}

export type DraftProblem = { kind: 'empty' } | { kind: 'too_large'; bytes: number; limit: number }

/** Why a draft cannot be sent, or null if it can: mirrors the relay's own rules. */
export function draftProblem(text: string, limit = MAX_MESSAGE_BYTES): DraftProblem | null {
  if (text.trim().length === 0) return { kind: 'empty' }
  const bytes = utf8Bytes(text)
  return bytes > limit ? { kind: 'too_large', bytes, limit } : null
}

export function describeDraftProblem(problem: DraftProblem): string {
  if (problem.kind === 'empty') return 'Write something before sending.'
  const over = problem.bytes - problem.limit
  return (
    `This message is too long by ${over.toLocaleString('en')} bytes ` +
    `(limit ${formatBytes(problem.limit)}). Shorten it or split it into several messages.`
  )
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const kb = bytes / 1024
  return `${Number.isInteger(kb) ? kb : kb.toFixed(1)} KB`
}

/**
 * Whether a Date can hold `ts`. The schema bounds it, but the page must not trust that: a
 * timestamp past 8.64e15 (or NaN) makes every Intl format throw "Invalid time value".
 */
export function isValidTime(ts: number): boolean {
  return Number.isFinite(new Date(ts).getTime())
}

/** Said where a date or a time would be when a message's timestamp is not a time at all. */
export const UNKNOWN_DATE = 'Unknown date'
export const UNKNOWN_TIME = 'Unknown time'

/** A calendar day in the reader's time zone, as a comparable key; every invalid time has "NaN-NaN-NaN". */
export function dayKey(ts: number): string {
  const d = new Date(ts)
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`
}

/** "Today", "Yesterday", or a date, for the divider above the first message of a day. */
export function dayLabel(ts: number, now: number, locale?: string): string {
  if (!isValidTime(ts)) return UNKNOWN_DATE
  if (dayKey(ts) === dayKey(now)) return 'Today'
  const yesterday = new Date(now)
  yesterday.setDate(yesterday.getDate() - 1)
  if (dayKey(ts) === dayKey(yesterday.getTime())) return 'Yesterday'
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear()
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ts)
}

const timeFormats = new Map<string, Intl.DateTimeFormat>()

/** "9:05 PM" where clocks have 12 hours, "21:05" / "09:05" where they have 24. */
export function timeLabel(ts: number, locale?: string): string {
  if (!isValidTime(ts)) return UNKNOWN_TIME
  const key = locale ?? ''
  let format = timeFormats.get(key)
  if (!format) {
    const h12 = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hour12
    format = new Intl.DateTimeFormat(locale, { hour: h12 ? 'numeric' : '2-digit', minute: '2-digit' })
    timeFormats.set(key, format)
  }
  return format.format(ts)
}

/** Full date and time, for the tooltip: the short label drops the day. */
export function fullTimeLabel(ts: number, locale?: string): string {
  if (!isValidTime(ts)) return UNKNOWN_TIME
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(ts)
}

/** For a <time> element's datetime attribute; empty (no machine-readable time) when there is none. */
export function isoTime(ts: number): string {
  return isValidTime(ts) ? new Date(ts).toISOString() : ''
}

/** A stable colour slot per username, so a person keeps their colour across reloads. */
export function hueSlot(username: string, slots = 8): number {
  let h = 0
  for (const ch of username) h = (h * 31 + ch.codePointAt(0)!) >>> 0
  return h % slots
}

export function initial(username: string): string {
  const first = [...username][0] ?? '?'
  return first.toUpperCase()
}
