/**
 * Where a result's text matched, as ranges of it: `{start, end}` in UTF-16 code units of
 * `message.text` (what `String.prototype.slice` takes), sorted, not overlapping. The page
 * wraps `text.slice(start, end)` in a <mark> it creates itself, so nothing from the index
 * or the message is ever parsed as HTML. Words of the text are folded as the index folds
 * them (case, accents), and a word of the query matches a word of the text that it begins
 * (or equals, inside a quoted phrase); CJK characters and emoji match one by one.
 */
import type { SearchQuery } from '../../shared/index.js'
import { FINAL_SIGMA } from './tokens.js'

export interface Highlight {
  start: number
  end: number
}

/** At most this many ranges a result (a long message full of the word says so after a few). */
export const HIGHLIGHTS_MAX = 20

const WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|\p{Extended_Pictographic}|[\p{L}\p{N}\p{M}]+/gu

export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(FINAL_SIGMA, 'σ')
}

function words(text: string): { word: string; start: number; end: number }[] {
  return [...text.matchAll(WORD)].map((m) => ({ word: fold(m[0]), start: m.index, end: m.index + m[0].length }))
}

export function highlights(text: string, query: SearchQuery): Highlight[] {
  const wanted = query.terms.flatMap((t) => words(t.text).map((w) => ({ word: w.word, prefix: !t.phrase })))
  if (wanted.length === 0) return []
  const out: Highlight[] = []
  for (const w of words(text)) {
    if (!wanted.some((q) => (q.prefix ? w.word.startsWith(q.word) : w.word === q.word))) continue
    out.push({ start: w.start, end: w.end })
    if (out.length === HIGHLIGHTS_MAX) break
  }
  return out
}
