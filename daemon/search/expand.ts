/**
 * Newest first without merging a prefix's doclists. Every word a person types is a prefix
 * ("deplo" finds "deployment"). FTS5 answers `"word" *` by merging, in memory, the doclist of
 * every term that begins with it before it can hand out the newest row: at a million messages
 * a common word costs ~20–30 ms that way. An exact term (`"word"`) is read newest first from
 * the end of its doclist and stops at LIMIT, and so is an OR of exact terms (FTS5 merges their
 * iterators as it goes): ~0.1 ms. So, newest first, each prefix term is replaced by the OR of
 * the exact words the index holds that begin with it: a range of the `terms` table.
 *
 * - `terms` is every word of the `body` column the index has ever held, written in the same
 *   transaction as the words (`termSteps`): the batch goes through a `temp` FTS5 table with
 *   the same tokenizer, and its vocabulary (`fts5vocab`, 'row') is added. A rebuild fills it
 *   once at the end instead (`FILL_TERMS`), and expands nothing until then. Words are never
 *   taken out (a deleted message's words stay): a word no row has any more matches nothing.
 *   FTS5's own vocabulary of the index would do without a table, but reading a term there
 *   walks its whole doclist (17 ms for the common word at a million: as slow as the merge).
 * - The prefix is folded by SQLite's own tokenizer (another `temp` FTS5 table, read through
 *   an 'instance' vocabulary): case and accents exactly as the index folded them, and whether
 *   it is one token at all. A term of several tokens ("e-ma" is `"e ma" *`) stays as it is.
 * - Prefixes of 2 and 3 characters have FTS5 prefix indexes (`prefix='2 3'`): one doclist,
 *   read newest first like a term (~0.1 ms); they stay as they are.
 * - The expansion is made inside the one statement that searches (a scalar subquery builds
 *   the MATCH text), so no write can come between reading `terms` and matching: the rows
 *   found are the rows `"word" *` finds. Past EXPAND_PER_PREFIX words (or none: the prefix
 *   matches nothing), the subquery gives back `"word" *` itself.
 * - Best match first (bm25) keeps `"word" *`: it reads every matching row anyway, and an OR
 *   of words would score differently.
 */
import type { SqliteThread, SqlStep } from './sqlite-thread.js'
import type { MatchTerm } from './tokens.js'

/** The tokenizer of every FTS5 table here: the prefix fold must be the index's fold. */
export const TOKENIZE = 'tokenize="unicode61 remove_diacritics 2"'

/** At most this many exact words stand in for one prefix; past it, the prefix stays. */
export const EXPAND_PER_PREFIX = 64
/** ... and at most this many in a whole query (a query of many prefixes gets fewer each). */
export const EXPAND_PER_QUERY = 256

/** In the index's database: every word its `body` column has held. */
export const TERMS_SCHEMA = ['CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY) WITHOUT ROWID']

/** Per connection (`temp`, in memory): the tokenizer, for a batch's words and for a query's prefixes. */
export const EXPAND_SCHEMA = [
  `CREATE VIRTUAL TABLE IF NOT EXISTS temp.fresh USING fts5(body, content='', detail=none, ${TOKENIZE})`,
  'CREATE VIRTUAL TABLE IF NOT EXISTS temp.fresh_terms USING fts5vocab(temp, fresh, row)',
  `CREATE VIRTUAL TABLE IF NOT EXISTS temp.fold USING fts5(x, content='', ${TOKENIZE})`,
  'CREATE VIRTUAL TABLE IF NOT EXISTS temp.fold_terms USING fts5vocab(temp, fold, instance)',
  'CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, words, row)',
]

/**
 * `terms` from the whole index at once, at the end of a rebuild (index-db.ts `settle`): one walk
 * of every doclist. It also takes the `tags` column's words, which no `body :` query matches.
 */
export const FILL_TERMS = 'INSERT OR IGNORE INTO terms SELECT term FROM temp.vocab'

/** The steps that add these documents' words to `terms` (run in the transaction that writes them). */
export function termSteps(put: { body: string }[]): SqlStep[] {
  return [
    { sql: 'INSERT INTO temp.fresh (rowid, body) VALUES (?, ?)', rows: put.map((d, i) => [i, d.body]) },
    { sql: 'INSERT OR IGNORE INTO terms SELECT term FROM temp.fresh_terms' },
    { sql: "INSERT INTO temp.fresh (fresh) VALUES ('delete-all')" },
  ]
}

/** A prefix term as the index folded it: `lo` ≤ every term that begins with it < `hi`. */
interface Folded {
  term: MatchTerm
  lo: string
  hi: string
}

/** The MATCH of a newest-first query as SQL (an expression over named parameters), and those parameters. */
export interface ExpandedMatch {
  sql: string
  params: Record<string, unknown>
}

/**
 * The `body` part of a newest-first query's MATCH, with each expandable prefix term standing
 * for its exact words; undefined when no term is expandable (the caller's plain MATCH is the same).
 * `tags` (the from:/in: accelerator, or '') is appended as it is.
 */
export async function expandedMatch(
  thread: SqliteThread,
  db: string,
  terms: MatchTerm[],
  tags: string,
): Promise<ExpandedMatch | undefined> {
  const folded = await fold(thread, db, terms)
  if (folded.length === 0) return undefined
  const rest = terms.filter((t) => !folded.some((f) => f.term === t))
  const cap = Math.min(EXPAND_PER_PREFIX, Math.floor(EXPAND_PER_QUERY / folded.length))
  const params: Record<string, unknown> = { tags }
  // One shape of SQL per number of expanded terms (prepared statements are cached by their text).
  const parts = folded.map((f, i) => {
    Object.assign(params, { [`p${i}`]: f.term.fts, [`lo${i}`]: f.lo, [`hi${i}`]: f.hi })
    const words = `SELECT term FROM terms WHERE term >= :lo${i} AND term < :hi${i} LIMIT ${cap + 1}`
    return `(SELECT CASE WHEN count(*) BETWEEN 1 AND ${cap} THEN '(' || group_concat('"' || replace(term, '"', '""') || '"', ' OR ') || ')' ELSE :p${i} END FROM (${words}))`
  })
  if (rest.length > 0) {
    parts.push(':rest')
    params.rest = rest.map((t) => t.fts).join(' AND ')
  }
  return { sql: `('body : (' || ${parts.join(" || ' AND ' || ")} || ')' || :tags)`, params }
}

/** The prefix terms worth expanding, folded by the index's tokenizer (one round trip to the thread). */
async function fold(thread: SqliteThread, db: string, terms: MatchTerm[]): Promise<Folded[]> {
  // 2–3 letters or digits are one token of 2–3 characters however they fold (prepare() has
  // composed them): the prefix index answers, no round trip needed to know it.
  const prefixes = terms.filter((t) => t.prefix !== undefined && !/^[\p{L}\p{N}]{2,3}$/u.test(t.prefix))
  if (prefixes.length === 0) return []
  const [, rows] = (await thread.batch(db, [
    { sql: 'INSERT INTO temp.fold (rowid, x) VALUES (?, ?)', rows: prefixes.map((t, i) => [i, t.prefix]) },
    { sql: 'SELECT doc, term FROM temp.fold_terms' },
    { sql: "INSERT INTO temp.fold (fold) VALUES ('delete-all')" },
  ])) as [number, { doc: number; term: string }[], number]
  const tokens = new Map<number, string[]>()
  for (const r of rows) tokens.set(r.doc, [...(tokens.get(r.doc) ?? []), r.term])
  const out: Folded[] = []
  prefixes.forEach((term, i) => {
    const [only, ...more] = tokens.get(i) ?? []
    const chars = only === undefined ? 0 : [...only].length
    if (only === undefined || more.length > 0 || chars === 2 || chars === 3) return
    // Every term that begins with `only` sorts before `only` + U+10FFFF (a code point no token has).
    out.push({ term, lo: only, hi: `${only}\u{10FFFF}` })
  })
  return out
}
