/**
 * What the composer offers while someone types: `:thu` → emoji whose short code starts with
 * "thu" (or has a word that does), `@al` → people whose name starts with "al". Pure, so it is
 * tested in Node; the listbox itself is completer.ts.
 */
import { toned, type EmojiSet, type SkinTone } from './emoji-model.js'
import { completeShortcode } from './emoji-search-model.js'

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

export interface EmojiCompletionOptions {
  recent?: readonly string[]
  tone?: SkinTone
}

/** `:smi` → 😄 :smile:, … (shortcodes that start with the query first; see completeShortcode). */
export function emojiCandidates(query: string, set: EmojiSet, options: EmojiCompletionOptions = {}): Candidate[] {
  return completeShortcode(set, query, { recent: options.recent ?? [], limit: MAX_CANDIDATES }).map(({ emoji, code }) => {
    const char = toned(emoji, options.tone ?? 0)
    return { label: `${char} :${code}:`, insert: char }
  })
}

export function nameCandidates(query: string, names: Iterable<string>): Candidate[] {
  const q = query.toLowerCase()
  return [...new Set(names)]
    .filter((n) => n.toLowerCase().startsWith(q))
    .sort((a, b) => a.localeCompare(b))
    .slice(0, MAX_CANDIDATES)
    .map((n) => ({ label: `@${n}`, insert: `@${n} ` }))
}
