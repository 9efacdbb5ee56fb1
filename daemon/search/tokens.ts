/**
 * What the index is given to read, and how a query says the same thing. FTS5's `unicode61`
 * tokenizer with `remove_diacritics 2` folds case and accents in Latin, Cyrillic and Greek
 * ("Café" = "cafe", "ΆΝΘΡΩΠΟΣ" = "ανθρωπος"), and splits on anything not a letter or digit.
 * Two things it cannot do are prepared here, the same way for a message and for a query:
 *
 * - Chinese and Japanese are written without spaces: `unicode61` would make one token of a
 *   whole sentence, so a word inside it could never match. Every Han, Hiragana and Katakana
 *   character becomes its own token, and a query's CJK word becomes the phrase of its
 *   characters (adjacent, in order). Matching is looser than a dictionary segmenter would
 *   make it, never broken. (Hangul is written with spaces and is left whole.) A trigram side
 *   table was the other way; it triples the index for one script family.
 * - Emoji are not letters: `unicode61` drops them. Each pictograph becomes a word `emoji<hex>x`
 *   (skin tones, variation selectors and joiners dropped, so 👍 finds 👍🏽).
 *
 * Highlights are found in the original text by the page's own words (highlights.ts), so the
 * prepared text is never shown.
 */
import type { FileRef, Message, SearchQuery, SearchTerm } from '../../shared/index.js'

const CJK = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu
const EMOJI = /\p{Extended_Pictographic}/gu
/** Marks on Latin, Greek and Cyrillic letters: `unicode61` folds the Latin ones only ("Ё" = "Е", "Ά" = "Α"). */
const MARKED = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu
const EMOJI_GLUE = /\p{Emoji_Modifier}|\u200d|\ufe0e|\ufe0f/gu
/**
 * Greek final sigma, ς, as an escape: esbuild escapes other characters than ASCII in strings but
 * not in a regular expression, and one of them makes V8 hold the whole daemon bundle at two
 * bytes a character (scripts/build-commands.mjs refuses it).
 */
export const FINAL_SIGMA = /\u03c2/g

/** The text as the index (and a query) reads it. */
export function prepare(text: string): string {
  return text
    .normalize('NFD')
    .replace(MARKED, '$1')
    .normalize('NFC')
    .replace(FINAL_SIGMA, 'σ') // Greek final sigma: the same letter as σ, which unicode61 does not know
    .replace(EMOJI_GLUE, '')
    .replace(EMOJI, (e) => ` emoji${e.codePointAt(0)!.toString(16)}x `)
    .replace(CJK, ' $1 ')
}

/** Bits of `docs.flags`. */
export const HAS_FILE = 1
export const HAS_PICTURE = 2
export const HAS_LINK = 4
const LINK = /\bhttps?:\/\/\S|\bwww\.\S/i

const isPicture = (f: FileRef) => f.picture !== undefined || f.mime.startsWith('image/')

/** One message as the index holds it: its words (text and file names) and what filters ask. */
export interface SearchDoc {
  seq: number
  id: string
  room: string
  author: string
  ts: number
  flags: number
  body: string
  /** Its author and room as words (tag()), in a column of their own: see index-db.ts. */
  tags: string
}

/**
 * An author or a room as one FTS5 word ("byalicex", "inrdesign000001x"), so `from:` and `in:`
 * are intersected inside FTS5 rather than row by row. Only an accelerator: two names that
 * fold to the same word are told apart by the exact filters on `docs`.
 */
export function tag(kind: 'by' | 'in', value: string): string {
  return `${kind}${value.toLowerCase().replace(/[^a-z0-9]/g, '')}x`
}

/** A readable message (not deleted, text in the clear or opened) as a document. */
export function docOf(m: Pick<Message, 'seq' | 'id' | 'room' | 'author' | 'ts' | 'text' | 'files'>): SearchDoc {
  const files = m.files ?? []
  let flags = 0
  if (files.length > 0) flags |= HAS_FILE
  if (files.some(isPicture)) flags |= HAS_PICTURE
  if (LINK.test(m.text)) flags |= HAS_LINK
  const body = prepare([m.text, ...files.map((f) => f.name)].join('\n'))
  const author = m.author.toLowerCase()
  return { seq: m.seq, id: m.id, room: m.room, author, ts: m.ts, flags, body, tags: `${tag('by', author)} ${tag('in', m.room)}` }
}

export function hasFlags(query: SearchQuery): number {
  let flags = 0
  if (query.has.includes('file')) flags |= HAS_FILE
  if (query.has.includes('picture')) flags |= HAS_PICTURE
  if (query.has.includes('link')) flags |= HAS_LINK
  return flags
}

const WORDY = /[\p{L}\p{N}]/u

/** One term of a query as FTS5 reads it. */
export interface MatchTerm {
  /** The term as an FTS5 string: a phrase of its tokens, followed by `*` for a prefix. */
  fts: string
  /** A prefix term's prepared text (index-db.ts may stand its exact words in for it); absent for a quoted phrase. */
  prefix?: string
}

/** One term as an FTS5 string (a phrase of its tokens), a prefix unless quoted; null if it has no word in it. */
function ftsTerm(term: SearchTerm): MatchTerm | null {
  const prepared = prepare(term.text).trim()
  if (!WORDY.test(prepared)) return null
  const quoted = `"${prepared.replace(/"/g, '""')}"`
  return term.phrase ? { fts: quoted } : { fts: `${quoted} *`, prefix: prepared }
}

/** What a query asks of FTS5: `match` is its `terms` ANDed; `exclude` its exclusions ORed. */
export interface MatchExpression {
  match: string | null
  exclude: string | null
  terms: MatchTerm[]
}

/**
 * The FTS5 MATCH expression of a query's words: every term, then NOT each exclusion. Every
 * term goes in as a quoted string, so nothing a person types is FTS5 syntax. A term of
 * punctuation alone ("-", "?") is left out; undefined: every term was, so nothing matches;
 * `match` null: no words at all (filters only).
 */
export function matchExpression(query: SearchQuery): MatchExpression | undefined {
  const terms = query.terms.map(ftsTerm).filter((t): t is MatchTerm => t !== null)
  if (terms.length === 0 && query.terms.length > 0) return undefined
  const exclude = query.exclude.map(ftsTerm).filter((t): t is MatchTerm => t !== null)
  return {
    match: terms.length > 0 ? terms.map((t) => t.fts).join(' AND ') : null,
    exclude: exclude.length > 0 ? exclude.map((t) => t.fts).join(' OR ') : null,
    terms,
  }
}
