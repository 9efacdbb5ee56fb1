/**
 * A search, as one person asks it. The indexes say which messages MAY match; the views decide
 * what is answered, at query time, never the index alone:
 *
 * - the rooms searched are the rooms the person may read NOW (public rooms, and the private
 *   rooms and direct conversations they are a member of), from the views. Someone who left a
 *   private room finds nothing of it any more, as in Slack: search shows what you may open.
 * - every hit is looked up again in the views: a message deleted, edited or taken back since
 *   the index saw it is answered as it is now (deleted or gone: not at all).
 * - sealed messages come from the person's own in-memory index (sealed.ts), opened for them.
 */
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Message, SearchQuery } from '../../shared/index.js'
import { InputError } from '../errors/index.js'
import type { Room, Store } from '../store/index.js'
import { type Highlight, highlights } from './highlights.js'
import { type IndexHit, IndexDb, type IndexQuery } from './index-db.js'
import { type IndexProgress, Indexer } from './indexer.js'
import { type Open, SealedIndexes } from './sealed.js'
import { SqliteThread } from './sqlite-thread.js'
import { hasFlags, matchExpression } from './tokens.js'

export const SEARCH_LIMIT_DEFAULT = 20
export const SEARCH_LIMIT_MAX = 100
/** The index file, beside the LevelDB folder in the data folder. */
export const SEARCH_FILE = 'search.sqlite'

export interface SearchAsk {
  query: SearchQuery
  /** Only this room (already checked readable by the caller), and only this author. */
  room?: string
  from?: string
  limit: number
  sort: 'newest' | 'best'
  cursor?: string
}

export interface SearchResult {
  message: Message
  highlights: Highlight[]
}

export interface SearchAnswer {
  results: SearchResult[]
  next: string | null
  indexing: IndexProgress | null
}

export class Search {
  readonly #thread = new SqliteThread()
  #closed = false
  readonly disk: IndexDb
  readonly indexer: Indexer
  readonly sealed: SealedIndexes

  private constructor(
    private readonly store: Store,
    log: Logger,
  ) {
    this.disk = new IndexDb(this.#thread, 'disk')
    this.sealed = new SealedIndexes(this.#thread, store, log)
    this.indexer = new Indexer(this.disk, store, log, (t) => this.sealed.touched(t))
  }

  /** Opens (or creates) the index in `dataDir` and starts bringing it to the log's head in the background. */
  static async open(dataDir: string, store: Store, log: Logger, file = join(dataDir, SEARCH_FILE)): Promise<Search> {
    const search = new Search(store, log)
    await search.disk.open(file)
    await search.indexer.start()
    return search
  }

  async search(username: string, ask: SearchAsk, open: Open): Promise<SearchAnswer> {
    const rooms = await this.#rooms(username, ask)
    const answer: SearchAnswer = { results: [], next: null, indexing: this.indexer.progress() }
    const match = matchExpression(ask.query)
    if (rooms.length === 0 || match === undefined) return answer
    const position = cursor(ask.cursor, ask.sort)
    const q: IndexQuery = {
      ...match,
      rooms: rooms.map((r) => r.id),
      ...(ask.room !== undefined || ask.query.in.length > 0 ? { narrowed: rooms.map((r) => r.id) } : {}),
      authors: authors(ask.query.from, ask.from),
      flags: hasFlags(ask.query),
      ...(ask.query.since !== undefined ? { since: ask.query.since } : {}),
      ...(ask.query.until !== undefined ? { until: ask.query.until } : {}),
      sort: ask.sort,
      ...(ask.sort === 'newest' ? (position === undefined ? {} : { before: position }) : { offset: 0 }),
      // best: both indexes answer their first offset+limit, merged below
      limit: ask.sort === 'best' ? (position ?? 0) + ask.limit : ask.limit,
    }
    const hits = await this.disk.search(q)
    const encrypted = rooms.filter((r) => r.epoch !== undefined)
    if (encrypted.length > 0) {
      const mine = await this.#memberOf(username, encrypted)
      if (mine.length > 0)
        hits.push(...(await (await this.sealed.ready(username, mine, open)).search({ ...q, rooms: mine.map((r) => r.id) })))
    }
    const page = merge(hits, ask.sort, position ?? 0, ask.limit)
    answer.results = await this.#results(page, new Set(q.rooms), ask.query, open)
    if (page.length === ask.limit)
      answer.next = ask.sort === 'newest' ? `n${page[page.length - 1]!.seq}` : `b${(position ?? 0) + ask.limit}`
    return answer
  }

  /** The rooms this person may read now, narrowed by `in:` and `room`. */
  async #rooms(username: string, ask: SearchAsk): Promise<Room[]> {
    const views = this.store.views
    const readable = new Map<string, Room>()
    for (const r of [...(await views.directory()), ...(await views.roomsOf(username))]) readable.set(r.id, r)
    let rooms = [...readable.values()]
    if (ask.room !== undefined) rooms = rooms.filter((r) => r.id === ask.room)
    if (ask.query.in.length > 0) {
      const wanted = new Set<string>()
      for (const name of ask.query.in) wanted.add((await views.q.roomIdByName(name)) ?? name)
      rooms = rooms.filter(
        (r) => wanted.has(r.id) || wanted.has(r.name) || [...wanted].some((w) => w.toLowerCase() === r.name.toLowerCase()),
      )
    }
    return rooms
  }

  async #memberOf(username: string, rooms: Room[]): Promise<Room[]> {
    const out: Room[] = []
    for (const r of rooms) if (await this.store.views.q.isMember(r.id, username)) out.push(r)
    return out
  }

  /** Each hit as the views hold it now, in a room still searched; deleted and vanished ones left out. */
  async #results(hits: IndexHit[], rooms: Set<string>, query: SearchQuery, open: Open): Promise<SearchResult[]> {
    const out: SearchResult[] = []
    for (const hit of hits) {
      if (!rooms.has(hit.room)) continue
      const m = await this.store.views.q.message(hit.room, hit.id)
      if (!m || m.deleted || m.seq !== hit.seq) continue
      const message = await open(m)
      if (message.unreadable) continue
      out.push({ message, highlights: highlights(message.text, query) })
    }
    return out
  }

  /** Stops the indexer, closes every index and ends the thread; a second call does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.indexer.stop()
    await this.sealed.closeAll()
    await this.disk.close()
    await this.#thread.stop()
  }
}

/** `from:` in the query and `from=` in the address must both hold: with two different people, nobody matches. */
function authors(typed: string[], param: string | undefined): string[] {
  if (param === undefined) return typed
  const same = typed.length === 0 || typed.some((a) => a.toLowerCase() === param.toLowerCase())
  return same ? [param] : ['\u0000nobody']
}

/** `n<seq>` (newest first: older than that seq) or `b<n>` (best first: after the first n). */
function cursor(value: string | undefined, sort: 'newest' | 'best'): number | undefined {
  if (value === undefined || value === '') return undefined
  const m = /^([nb])(\d{1,15})$/.exec(value)
  if (!m || (m[1] === 'n') !== (sort === 'newest')) {
    throw new InputError('bad_cursor', 'That "before" cursor is not one this search handed out; start again without it.')
  }
  return Number(m[2])
}

function merge(hits: IndexHit[], sort: 'newest' | 'best', offset: number, limit: number): IndexHit[] {
  if (sort === 'newest') return hits.sort((a, b) => b.seq - a.seq).slice(0, limit)
  return hits.sort((a, b) => a.rank - b.rank || b.seq - a.seq).slice(offset, offset + limit)
}
