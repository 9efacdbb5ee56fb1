/**
 * The search box's language, parsed once for the daemon and the page (GET /api/v1/search).
 *
 *   words            every word must match, each as a PREFIX ("deplo" finds "deployment"):
 *                    results come as the person types, so the half-typed word must count
 *   "a phrase"       these words, next to each other, in this order (no prefix)
 *   -word -"phrase"  messages that have it are left out
 *   from:alice       by alice (`from:@alice` too); several from: mean any of them
 *   in:#design       in that room, by name (`in:design`) or id (`in:r-…`, `in:dm-…`); any of several
 *   has:file | has:picture | has:link
 *   before:2026-11-01  before that day;  after:2026-11-01  after that day;
 *   during:2026-11-01 | during:2026-11 | during:2026   on that day, in that month, in that year
 *
 * Days are UTC days (the daemon does not know the page's time zone). A `name:value` whose name
 * is not a filter is an error (`unknown_filter`), so a typo is not silently searched as a
 * word, except a URL-like `http://…` (value starting with "/") and a bare `re:` (empty value),
 * which are words. Quotes that are never closed run to the end. `parseSearchQuery` never
 * throws: it returns the query or an error with a stable code (shared/errors.ts).
 */
import * as z from 'zod'
import type { Message } from './api.js'
import { USERNAME_PATTERN } from './limits.js'

/** Characters (code points) a query may have. */
export const SEARCH_QUERY_MAX = 500
/** Words, phrases and exclusions together: more says nothing a person means, and costs. */
export const SEARCH_TERMS_MAX = 32

export type SearchHas = 'file' | 'picture' | 'link'

export interface SearchTerm {
  text: string
  /** A quoted phrase: its words in order, none a prefix. */
  phrase: boolean
}

export interface SearchQuery {
  /** Every one must match. */
  terms: SearchTerm[]
  /** None may match. */
  exclude: SearchTerm[]
  /** Authors, as typed (compared without case); empty: anyone. */
  from: string[]
  /** Room names without '#' or room ids, as typed; empty: every room the person may read. */
  in: string[]
  has: SearchHas[]
  /** ts >= since (ms since the epoch, UTC). */
  since?: number
  /** ts < until. */
  until?: number
}

export type SearchQueryError = {
  code: 'empty_query' | 'query_too_long' | 'unknown_filter' | 'bad_date' | 'bad_filter'
  message: string
}

export type SearchQueryResult = { ok: true; query: SearchQuery } | { ok: false; error: SearchQueryError }

const FILTERS = new Set(['from', 'in', 'has', 'before', 'after', 'during'])
const HAS = new Set<string>(['file', 'picture', 'link'])
const USERNAME = new RegExp(USERNAME_PATTERN)

/** One piece of the query as typed: a word, a quoted phrase, or a `name:value`. */
interface Piece {
  text: string
  quoted: boolean
  negated: boolean
}

/** Splits on white space, keeping "quoted phrases" (a quote never closed runs to the end). */
function pieces(input: string): Piece[] {
  const out: Piece[] = []
  const re = /(-?)"([^"]*)("|$)|(\S+)/g
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    if (m[4] !== undefined) {
      const negated = m[4].length > 1 && m[4].startsWith('-')
      out.push({ text: negated ? m[4].slice(1) : m[4], quoted: false, negated })
    } else out.push({ text: (m[2] ?? '').trim(), quoted: true, negated: m[1] === '-' })
  }
  return out.filter((p) => p.text.length > 0)
}

function fail(code: SearchQueryError['code'], message: string): SearchQueryResult {
  return { ok: false, error: { code, message } }
}

export function parseSearchQuery(raw: unknown): SearchQueryResult {
  const input = typeof raw === 'string' ? raw.normalize('NFC') : ''
  if ([...input].length > SEARCH_QUERY_MAX) {
    return fail('query_too_long', `A search is at most ${SEARCH_QUERY_MAX} characters; shorten it.`)
  }
  const query: SearchQuery = { terms: [], exclude: [], from: [], in: [], has: [] }
  for (const p of pieces(input)) {
    const filter = p.quoted ? null : /^([A-Za-z]+):(.*)$/s.exec(p.text)
    if (filter && filter[2] !== '' && !filter[2]!.startsWith('/')) {
      const name = filter[1]!.toLowerCase()
      if (!FILTERS.has(name)) {
        return fail('unknown_filter', `"${filter[1]}:" is not a search filter; use from:, in:, has:, before:, after: or during:.`)
      }
      const error = applyFilter(query, name, filter[2]!)
      if (error) return { ok: false, error }
      continue
    }
    const term = { text: p.text, phrase: p.quoted }
    ;(p.negated ? query.exclude : query.terms).push(term)
  }
  if (query.terms.length + query.exclude.length > SEARCH_TERMS_MAX) {
    return fail('query_too_long', `A search has at most ${SEARCH_TERMS_MAX} words and phrases; leave some out.`)
  }
  const filtered = query.from.length + query.in.length + query.has.length > 0 || query.since !== undefined || query.until !== undefined
  if (query.terms.length === 0 && !filtered) {
    return fail('empty_query', 'Type a word to search for (or a filter such as from:alice).')
  }
  return { ok: true, query }
}

function applyFilter(query: SearchQuery, name: string, value: string): SearchQueryError | undefined {
  switch (name) {
    case 'from': {
      const who = value.replace(/^@/, '')
      if (!USERNAME.test(who)) return { code: 'bad_filter', message: `from: takes a username, as in from:alice; "${who}" is not one.` }
      query.from.push(who)
      return
    }
    case 'in': {
      const room = value.replace(/^#/, '')
      if (room === '') return { code: 'bad_filter', message: 'in: takes a room, as in in:#design.' }
      query.in.push(room)
      return
    }
    case 'has': {
      const has = value.toLowerCase()
      if (!HAS.has(has)) return { code: 'bad_filter', message: `has: takes file, picture or link, not "${value}".` }
      if (!query.has.includes(has as SearchHas)) query.has.push(has as SearchHas)
      return
    }
    default:
      return dateFilter(query, name, value)
  }
}

/** before: (that day excluded), after: (that day excluded), during: (a day, a month, a year). */
function dateFilter(query: SearchQuery, name: string, value: string): SearchQueryError | undefined {
  const span = dateSpan(value, name === 'during')
  if (!span) {
    const shapes = name === 'during' ? 'YYYY-MM-DD, YYYY-MM or YYYY' : 'YYYY-MM-DD'
    return { code: 'bad_date', message: `${name}: takes a date written ${shapes}; "${value}" is not one.` }
  }
  const [start, end] = span
  if (name === 'before') query.until = Math.min(query.until ?? Number.POSITIVE_INFINITY, start)
  else if (name === 'after') query.since = Math.max(query.since ?? Number.NEGATIVE_INFINITY, end)
  else {
    query.since = Math.max(query.since ?? Number.NEGATIVE_INFINITY, start)
    query.until = Math.min(query.until ?? Number.POSITIVE_INFINITY, end)
  }
  return
}

/** [start, end) in ms of a UTC day (or, when `coarse`, also of a month or a year); undefined if not a date. */
export function dateSpan(value: string, coarse: boolean): [number, number] | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value)
  if (!m) return undefined
  const year = Number(m[1])
  const month = m[2] === undefined ? undefined : Number(m[2])
  const day = m[3] === undefined ? undefined : Number(m[3])
  if (!coarse && day === undefined) return undefined
  if (year < 1970 || (month !== undefined && (month < 1 || month > 12))) return undefined
  if (month === undefined) return [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)]
  if (day === undefined) return [Date.UTC(year, month - 1, 1), Date.UTC(year, month, 1)]
  const start = Date.UTC(year, month - 1, day)
  // Date.UTC rolls 2026-02-30 over into March: a day that is not in its month is not a date.
  if (new Date(start).getUTCDate() !== day) return undefined
  return [start, start + 86_400_000]
}

/** GET /api/v1/search's query string (docs/API.md, "Search"); `q` is parsed by parseSearchQuery. */
export const SearchParams = z.object({
  q: z.string().default(''),
  room: z.string().max(64).optional(),
  from: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(32).optional(),
  sort: z.enum(['newest', 'best']).default('newest'),
})
export type SearchParams = z.infer<typeof SearchParams>

/** A matched range of `message.text`, in UTF-16 code units: render `text.slice(start, end)` marked, as text. */
export interface SearchHighlight {
  start: number
  end: number
}

export interface SearchResponse {
  results: { message: Message; highlights: SearchHighlight[] }[]
  /** Pass as `before` for the next page; null: no more. */
  next: string | null
  /** The index is catching up with the log: `done` of `total` entries taken in; null when it is up to date. */
  indexing: { done: number; total: number } | null
}
