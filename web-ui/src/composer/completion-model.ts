/**
 * What the composer offers while someone types: `:thu` → emoji whose short code starts with
 * "thu", `@al` → people whose name starts with "al". Pure, so it is tested in Node; the
 * listbox itself is completer.ts.
 */
import { EMOJI, type Emoji } from './emoji-model.js'

export interface Trigger {
  kind: 'emoji' | 'mention'
  query: string
  /** Where the `:` or `@` is: accepting replaces from here to the caret. */
  start: number
}

export interface Candidate {
  /** What the list shows, and what a screen reader reads. */
  label: string
  /** What replaces the typed `:query` or `@query`. */
  insert: string
}

export const MAX_CANDIDATES = 8
/** Two letters before emoji are offered: "10:30" or ":)" must not pop up a list. */
const EMOJI_MIN = 2

export function triggerAt(text: string, caret: number): Trigger | null {
  const m = /(^|\s)([:@])([\p{L}\p{N}_+.-]*)$/u.exec(text.slice(0, caret))
  if (!m) return null
  const kind = m[2] === ':' ? 'emoji' : 'mention'
  const query = m[3]!
  if (kind === 'emoji' && query.length < EMOJI_MIN) return null
  return { kind, query, start: caret - query.length - 1 }
}

/** "thumbs up" → "thumbs_up", the code people type between colons. */
export function shortcode(emoji: Emoji): string {
  return emoji.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
}

/** Codes that start with the query first, then codes with a word that does. */
export function emojiCandidates(query: string, list: readonly Emoji[] = EMOJI): Candidate[] {
  const q = query.toLowerCase().replace(/:$/, '')
  const starts = list.filter((e) => shortcode(e).startsWith(q))
  const words = list.filter(
    (e) =>
      !starts.includes(e) &&
      shortcode(e)
        .split('_')
        .some((w) => w.startsWith(q)),
  )
  return [...starts, ...words].slice(0, MAX_CANDIDATES).map((e) => ({ label: `${e.char} :${shortcode(e)}:`, insert: e.char }))
}

export function nameCandidates(query: string, names: Iterable<string>): Candidate[] {
  const q = query.toLowerCase()
  return [...new Set(names)]
    .filter((n) => n.toLowerCase().startsWith(q))
    .sort((a, b) => a.localeCompare(b))
    .slice(0, MAX_CANDIDATES)
    .map((n) => ({ label: `@${n}`, insert: `@${n} ` }))
}

/** Pictures matching a search in the picker: every word of the search starts a word of the name. */
export function emojiMatchesSearch(emoji: Emoji, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean)
  const name = emoji.name.toLowerCase().split(/[^a-z0-9]+/)
  return words.every((w) => name.some((n) => n.startsWith(w)))
}
