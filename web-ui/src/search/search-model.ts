/**
 * The search box's rules, page-free (tested in Node): which answer is still wanted, how a
 * result's text splits into plain and marked parts FROM THE DAEMON'S RANGES (the page never
 * guesses what matched: the index knows about prefixes, accents and scripts, the page does
 * not), how results group for scanning, and what the status line says.
 */
import type { Message, SearchHighlight, SearchResponse } from '../../../shared/index.js'
import { dayKey } from '../app/format-model.js'

export type SearchSort = 'newest' | 'best'
export type SearchGrouping = 'room' | 'day'
export type SearchResult = SearchResponse['results'][number]

/** Wait this long after the last key before asking: one request per pause, not per letter. */
export const SEARCH_DEBOUNCE_MS = 150
/** Results asked for at once; "More results" asks for the next page. */
export const SEARCH_PAGE = 30

export function searchPath(q: string, sort: SearchSort, before?: string | null): string {
  const params = new URLSearchParams({ q, sort, limit: String(SEARCH_PAGE) })
  if (before) params.set('before', before)
  return `/api/v1/search?${params.toString()}`
}

/**
 * Answers come back in any order: typing "dep", "depl", "deplo" sends three requests, and
 * the first may answer last. Each request takes a ticket; only the newest ticket's answer is
 * shown, every older one is dropped.
 */
export class LatestOnly {
  private issued = 0

  take(): number {
    return ++this.issued
  }

  isLatest(ticket: number): boolean {
    return ticket === this.issued
  }

  /** Nothing asked so far is wanted any more (the box was emptied or closed). */
  cancel(): void {
    this.issued++
  }
}

export interface TextPart {
  text: string
  marked: boolean
}

/**
 * `text` cut at the ranges (UTF-16 offsets, as the API gives them): sorted, clamped to the
 * text, overlapping ones merged, and never cutting a surrogate pair in two (an emoji stays
 * whole). A range that makes no sense is ignored, never an error.
 */
export function highlightParts(text: string, ranges: readonly SearchHighlight[]): TextPart[] {
  const clean = ranges
    .filter((r) => Number.isInteger(r.start) && Number.isInteger(r.end))
    .map((r) => ({ start: pairSafe(text, Math.max(0, r.start), -1), end: pairSafe(text, Math.min(text.length, r.end), 1) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start)
  const parts: TextPart[] = []
  let at = 0
  for (const r of clean) {
    const start = Math.max(r.start, at)
    if (r.end <= start) continue
    if (start > at) parts.push({ text: text.slice(at, start), marked: false })
    const last = parts[parts.length - 1]
    if (last?.marked && start === at) last.text += text.slice(start, r.end)
    else parts.push({ text: text.slice(start, r.end), marked: true })
    at = r.end
  }
  if (at < text.length) parts.push({ text: text.slice(at), marked: false })
  return parts
}

/** Moves an offset off the middle of a surrogate pair: back for a start, forward for an end. */
function pairSafe(text: string, at: number, dir: -1 | 1): number {
  const low = text.charCodeAt(at)
  const inside = at > 0 && at < text.length && low >= 0xdc00 && low <= 0xdfff
  return inside ? at + (dir < 0 ? -1 : 1) : at
}

export interface ResultGroup {
  /** The room's id or the day's key. */
  key: string
  /** Room id of the first result (for the heading's name) or its ts (for the day's label). */
  room: string
  ts: number
  results: SearchResult[]
}

/**
 * Results grouped by room or by day, keeping the order the daemon gave (newest or best
 * first): a group sits where its first result came, so the best match's group comes first.
 */
export function groupResults(results: readonly SearchResult[], by: SearchGrouping): ResultGroup[] {
  const groups = new Map<string, ResultGroup>()
  for (const r of results) {
    const key = by === 'room' ? r.message.room : dayKey(r.message.ts)
    let g = groups.get(key)
    if (!g) {
      g = { key, room: r.message.room, ts: r.message.ts, results: [] }
      groups.set(key, g)
    }
    g.results.push(r)
  }
  return [...groups.values()]
}

/** The status line, announced politely: how many, whether more exist, and indexing. */
export function statusLine(count: number, more: boolean, indexing: SearchResponse['indexing']): string {
  const found = count === 0 ? 'No messages found.' : `${count}${more ? '+' : ''} message${count === 1 && !more ? '' : 's'} found.`
  if (!indexing) return found
  return `${found} Still indexing: ${indexing.done.toLocaleString('en')} of ${indexing.total.toLocaleString('en')}.`
}

/** A result's answer read defensively: a message with the fields a row needs, ranges that are numbers. */
export function parseSearchResponse(json: unknown): SearchResponse | null {
  if (!json || typeof json !== 'object') return null
  const o = json as Record<string, unknown>
  if (!Array.isArray(o.results)) return null
  const results = o.results.filter(isResult)
  const next = typeof o.next === 'string' ? o.next : null
  const i = o.indexing as Record<string, unknown> | null | undefined
  const indexing = i && typeof i.done === 'number' && typeof i.total === 'number' ? { done: i.done, total: i.total } : null
  return { results, next, indexing }
}

function isResult(v: unknown): v is SearchResult {
  const r = v as { message?: Partial<Message>; highlights?: unknown }
  const m = r?.message
  return (
    !!m &&
    typeof m.id === 'string' &&
    typeof m.room === 'string' &&
    typeof m.author === 'string' &&
    typeof m.text === 'string' &&
    typeof m.ts === 'number' &&
    Array.isArray(r.highlights) &&
    r.highlights.every((h) => typeof h?.start === 'number' && typeof h?.end === 'number')
  )
}

/** Moves the active option: arrows step (stopping at the ends), Home/End jump; null for other keys. */
export function moveActive(key: string, at: number, count: number): number | null {
  if (count === 0) return null
  switch (key) {
    case 'ArrowDown':
      return at < 0 ? 0 : Math.min(count - 1, at + 1)
    case 'ArrowUp':
      return at <= 0 ? 0 : at - 1
    case 'PageDown':
      return Math.min(count - 1, Math.max(0, at) + 5)
    case 'PageUp':
      return Math.max(0, at - 5)
    default:
      return null
  }
}
