/**
 * One search index: an SQLite FTS5 table of words and a plain table of what filters ask, in a
 * database held by the search thread (sqlite-thread.ts). The disk index (search.sqlite beside
 * the LevelDB folder) and each account's in-memory index of sealed messages (sealed.ts) are
 * both one of these.
 *
 * `words` is a contentless FTS5 table (`content=''`, `contentless_delete=1`, SQLite ≥ 3.43):
 * it keeps the token index only, not the text, so the file does not hold a second copy of
 * every message, and a row can still be deleted by rowid. The rowid is the message's seq.
 * The text shown in results is read from the views at query time (search.ts), so what a
 * result says is always the message as it is now.
 */
import { EXPAND_SCHEMA, expandedMatch, FILL_TERMS, TERMS_SCHEMA, TOKENIZE, termSteps } from './expand.js'
import type { SqliteThread, SqlStep } from './sqlite-thread.js'
import { type MatchTerm, type SearchDoc, tag } from './tokens.js'

/**
 * Bumped whenever what the index holds or how it tokenises changes: an older index is rebuilt.
 * 2: the `terms` table (expand.ts), which must hold every word of the index.
 */
export const SEARCH_INDEX_VERSION = 2

const TABLES = [
  `CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(body, tags, content='', contentless_delete=1, prefix='2 3', ${TOKENIZE})`,
  'CREATE TABLE IF NOT EXISTS docs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, room TEXT NOT NULL, author TEXT NOT NULL, ts INTEGER NOT NULL, flags INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v) WITHOUT ROWID',
  ...TERMS_SCHEMA,
]
/**
 * The filters' indexes on `docs`. Kept up to date row by row they cost a rebuild more than
 * FTS5 itself (bench/README.md, "Where the time goes"), so a rebuild writes `docs` without
 * them, and without `terms`, and makes both once at the end (`settle`). Meanwhile the index
 * says so in `meta` ('rebuilding'), so a daemon stopped mid-rebuild goes on the same way, and
 * no prefix is expanded from a `terms` table not yet full.
 */
const DOCS_INDEXES = [
  'CREATE INDEX IF NOT EXISTS docs_room ON docs (room, seq)',
  'CREATE INDEX IF NOT EXISTS docs_author ON docs (author, seq)',
]
const DROP = ['DROP TABLE IF EXISTS words', 'DROP TABLE IF EXISTS docs', 'DROP TABLE IF EXISTS meta', 'DROP TABLE IF EXISTS terms']

/** Where an index stands: its version and the last entry it has taken in (and that entry's chain value). */
export interface IndexMark {
  version: number
  seq: number
  chain: string
}

/** What a query asks of one index; `rooms` are the only rooms it may answer from. */
export interface IndexQuery {
  match: string | null
  /** `match`'s terms one by one: newest first, a prefix among them may stand for its exact words (expand.ts). */
  terms?: MatchTerm[]
  exclude: string | null
  rooms: string[]
  /** The rooms the person narrowed the search to (in:, room=), if they did: intersected inside FTS5 too. */
  narrowed?: string[]
  authors: string[]
  flags: number
  since?: number
  until?: number
  sort: 'newest' | 'best'
  /** newest: seq < before; best: skip this many. */
  before?: number
  offset?: number
  limit: number
}

export interface IndexHit {
  seq: number
  id: string
  room: string
  rank: number
}

export class IndexDb {
  /** A rebuild is under way (meta 'rebuilding'): no `docs` indexes, no `terms`, until `settle`. */
  #rebuilding = false

  constructor(
    private readonly thread: SqliteThread,
    readonly name: string,
  ) {}

  async open(path: string): Promise<void> {
    // The temp tables die with the connection: a new search worker makes them again.
    await this.thread.open(this.name, path, EXPAND_SCHEMA)
    await this.thread.batch(
      this.name,
      [...TABLES, ...EXPAND_SCHEMA].map((sql) => ({ sql })),
    )
    const [row] = await this.thread.all<{ v: unknown }>(this.name, "SELECT v FROM meta WHERE k = 'rebuilding'")
    this.#rebuilding = row?.v === 1
    if (!this.#rebuilding)
      await this.thread.batch(
        this.name,
        DOCS_INDEXES.map((sql) => ({ sql })),
      )
  }

  /** Empties the index (a rebuild starts from nothing). */
  async reset(): Promise<void> {
    await this.thread.batch(
      this.name,
      [...DROP, ...TABLES, "INSERT INTO meta VALUES ('rebuilding', 1)"].map((sql) => ({ sql })),
    )
    this.#rebuilding = true
  }

  async mark(): Promise<IndexMark | undefined> {
    const rows = await this.thread.all<{ k: string; v: unknown }>(this.name, 'SELECT k, v FROM meta')
    const m = Object.fromEntries(rows.map((r) => [r.k, r.v]))
    if (typeof m.version !== 'number' || typeof m.seq !== 'number' || typeof m.chain !== 'string') return undefined
    return { version: m.version, seq: m.seq, chain: m.chain }
  }

  /** Writes `put` (replacing any row of the same seq), removes `drop`, and moves the mark, in one transaction. */
  async write(put: SearchDoc[], drop: number[], mark?: Omit<IndexMark, 'version'>): Promise<void> {
    const steps: SqlStep[] = []
    if (drop.length > 0) {
      const rows = drop.map((seq) => [seq])
      steps.push({ sql: 'DELETE FROM words WHERE rowid = ?', rows }, { sql: 'DELETE FROM docs WHERE seq = ?', rows })
    }
    if (put.length > 0) {
      // A contentless-delete FTS5 table takes REPLACE: an edited message's old words go with it.
      steps.push(
        { sql: 'INSERT OR REPLACE INTO words (rowid, body, tags) VALUES (?, ?, ?)', rows: put.map((d) => [d.seq, d.body, d.tags]) },
        ...(this.#rebuilding ? [] : termSteps(put)),
        {
          sql: 'INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?)',
          rows: put.map((d) => [d.seq, d.id, d.room, d.author, d.ts, d.flags]),
        },
      )
    }
    if (mark) {
      const rows = [
        ['version', SEARCH_INDEX_VERSION],
        ['seq', mark.seq],
        ['chain', mark.chain],
      ]
      steps.push({ sql: 'INSERT OR REPLACE INTO meta VALUES (?, ?)', rows })
    }
    if (steps.length > 0) await this.thread.batch(this.name, steps)
  }

  /**
   * After a rebuild or a large catch-up: (`optimize`) merges the FTS5 index's segments into
   * one (FTS5's 'optimize'), so a query reads one b-tree instead of dozens; and ends a rebuild:
   * the `docs` indexes, and `terms` filled from FTS5's vocabulary in one pass (1.4 s at a
   * million messages, against ~10 µs a message written batch by batch), in one transaction.
   */
  async settle(optimize: boolean): Promise<void> {
    const steps: SqlStep[] = optimize ? [{ sql: "INSERT INTO words (words) VALUES ('optimize')" }] : []
    if (this.#rebuilding)
      steps.push(...DOCS_INDEXES.map((sql) => ({ sql })), { sql: FILL_TERMS }, { sql: "DELETE FROM meta WHERE k = 'rebuilding'" })
    if (steps.length > 0) await this.thread.batch(this.name, steps)
    this.#rebuilding = false
  }

  /** Removes messages by id (an in-memory index learns of a message gone by its id only). */
  async dropIds(ids: string[]): Promise<void> {
    const steps: SqlStep[] = []
    for (const id of ids) {
      steps.push(
        { sql: 'DELETE FROM words WHERE rowid IN (SELECT seq FROM docs WHERE id = ?)', params: [id] },
        { sql: 'DELETE FROM docs WHERE id = ?', params: [id] },
      )
    }
    if (steps.length > 0) await this.thread.batch(this.name, steps)
  }

  async count(): Promise<number> {
    const [row] = await this.thread.all<{ n: number }>(this.name, 'SELECT count(*) AS n FROM docs')
    return row?.n ?? 0
  }

  /** Every seq the index holds (tests compare it with the log). */
  async seqs(): Promise<number[]> {
    return (await this.thread.all<{ seq: number }>(this.name, 'SELECT seq FROM docs ORDER BY seq')).map((r) => r.seq)
  }

  /** The indexes of `docs` there are now (tests). */
  async indexes(): Promise<string[]> {
    const sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND sql IS NOT NULL ORDER BY name"
    return (await this.thread.all<{ name: string }>(this.name, sql)).map((r) => r.name)
  }

  async search(q: IndexQuery): Promise<IndexHit[]> {
    const { where, params } = conditions(q)
    params.limit = q.limit
    let sql: string
    if (q.match === null) {
      sql = `SELECT d.seq, d.id, d.room, 0 AS rank FROM docs d WHERE ${where.join(' AND ')} ORDER BY d.seq DESC`
    } else {
      // bm25 needs how many rows hold each term: for a common word that is its whole doclist
      // (200 ms at a million messages), so newest-first never asks for it.
      const [rank, order] = q.sort === 'best' ? ['words.rank', 'words.rank, words.rowid DESC'] : ['0', 'words.rowid DESC']
      const expanded =
        q.sort === 'newest' && q.terms && !this.#rebuilding ? await expandedMatch(this.thread, this.name, q.terms, tagsMatch(q)) : undefined
      if (expanded) Object.assign(params, expanded.params)
      else params.match = `body : (${q.match})${tagsMatch(q)}`
      sql = `SELECT d.seq, d.id, d.room, ${rank} AS rank FROM words JOIN docs d ON d.seq = words.rowid WHERE words MATCH ${expanded?.sql ?? ':match'} AND ${where.join(' AND ')} ORDER BY ${order}`
    }
    sql += ' LIMIT :limit'
    if (q.sort === 'best') {
      sql += ' OFFSET :offset'
      params.offset = q.offset ?? 0
    }
    return this.thread.all<IndexHit>(this.name, sql, params)
  }

  close(): Promise<void> {
    return this.thread.close(this.name)
  }
}

/** The WHERE clauses (on `docs d`) of a query's filters, with their named parameters. */
function conditions(q: IndexQuery): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = ['d.room IN (SELECT value FROM json_each(:rooms))']
  const params: Record<string, unknown> = { rooms: JSON.stringify(q.rooms) }
  const add = (clause: string, name: string, value: unknown) => {
    where.push(clause)
    params[name] = value
  }
  if (q.authors.length > 0)
    add('d.author IN (SELECT value FROM json_each(:authors))', 'authors', JSON.stringify(q.authors.map((a) => a.toLowerCase())))
  if (q.flags !== 0) add('(d.flags & :flags) = :flags', 'flags', q.flags)
  if (q.since !== undefined && Number.isFinite(q.since)) add('d.ts >= :since', 'since', q.since)
  if (q.until !== undefined && Number.isFinite(q.until)) add('d.ts < :until', 'until', q.until)
  if (q.exclude !== null) add('d.seq NOT IN (SELECT rowid FROM words WHERE words MATCH :exclude)', 'exclude', `body : (${q.exclude})`)
  if (q.sort === 'newest' && q.before !== undefined) add('d.seq < :before', 'before', q.before)
  return { where, params }
}

/** `from:` and a narrowed room as words of the `tags` column, intersected by FTS5 itself ('' when neither). */
function tagsMatch(q: IndexQuery): string {
  const any = (words: string[]) => ` AND tags : (${words.map((w) => `"${w}"`).join(' OR ')})`
  let out = ''
  if (q.authors.length > 0) out += any(q.authors.map((a) => tag('by', a)))
  if (q.narrowed && q.narrowed.length > 0) out += any(q.narrowed.map((r) => tag('in', r)))
  return out
}
