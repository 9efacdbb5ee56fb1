/**
 * Search in end-to-end encrypted rooms, without their words ever reaching the disk.
 *
 * The disk index never holds a sealed message (indexer.ts). For a person logged in on this
 * machine, their sealed messages are opened (through the same opener as every read path,
 * daemon/http/message-opener.ts, given by the route as `open`) and indexed in an SQLite
 * `:memory:` database of their own, on the search thread. It is built room by room at their
 * first search (the opener needs the person's session, which only a request of theirs brings:
 * the daemon keeps no key between requests), then kept up to date at each search from the
 * messages the indexer saw change since (`touched`), and closed when their last session on
 * this machine ends (`sessionsChanged`). Another account, another machine, a copied disk:
 * none of them can see it. The cost is paid at the first search after each start or log-in.
 * (Element's Seshat keeps an encrypted index on disk instead: no rebuild at log-in, but a
 * second secret to manage, and an index file to attack at leisure.)
 */
import type { Logger } from 'pino'
import type { Message } from '../../shared/index.js'
import type { Room, Store } from '../store/index.js'
import { IndexDb } from './index-db.js'
import type { Touched } from './indexer.js'
import type { SqliteThread } from './sqlite-thread.js'
import { docOf, type SearchDoc } from './tokens.js'

/** Opens a sealed message for the person searching (text '' when it cannot be opened). */
export type Open = (m: Message) => Promise<Message>

const BUILD_BATCH = 500

class SealedIndex {
  readonly built = new Set<string>()
  readonly dirty = new Map<string, Touched>()
  queue: Promise<unknown> = Promise.resolve()

  constructor(readonly db: IndexDb) {}
}

export class SealedIndexes {
  readonly #by = new Map<string, SealedIndex>()

  constructor(
    private readonly thread: SqliteThread,
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** The indexer saw these (maybe sealed) messages change: each open index looks again at its next search. */
  touched(list: Touched[]): void {
    for (const index of this.#by.values()) for (const t of list) index.dirty.set(`${t.room}\u0000${t.id}`, t)
  }

  /**
   * The person's in-memory index, brought up to date for `rooms` (their encrypted rooms, as the
   * views say now): rooms not yet in it are added, changed messages looked at again.
   */
  async ready(username: string, rooms: Room[], open: Open): Promise<IndexDb> {
    const key = username.toLowerCase()
    let index = this.#by.get(key)
    if (!index) {
      const db = new IndexDb(this.thread, `sealed:${key}`)
      await db.open(':memory:')
      index = new SealedIndex(db)
      this.#by.set(key, index)
    }
    const mine = index
    // One update at a time per person: two searches at once must not add a room twice.
    const next = mine.queue.then(() => this.#update(mine, rooms, open))
    mine.queue = next.catch(() => {})
    await next
    return mine.db
  }

  async #update(index: SealedIndex, rooms: Room[], open: Open): Promise<void> {
    const dirty = [...index.dirty.values()].filter((t) => index.built.has(t.room))
    index.dirty.clear()
    if (dirty.length > 0) {
      await index.db.dropIds(dirty.map((t) => t.id))
      const put: SearchDoc[] = []
      for (const t of dirty) {
        const m = await this.store.views.q.message(t.room, t.id)
        const doc = m && (await this.#doc(m, open))
        if (doc) put.push(doc)
      }
      await index.db.write(put, [])
    }
    for (const room of rooms) {
      if (index.built.has(room.id)) continue
      const started = Date.now()
      let n = 0
      let batch: SearchDoc[] = []
      for await (const value of this.store.views.subs.msgs.values({ gt: `${room.id}!`, lt: `${room.id}"` })) {
        const doc = await this.#doc(value as Message, open)
        if (doc) batch.push(doc)
        if (batch.length < BUILD_BATCH) continue
        n += batch.length
        await index.db.write(batch, [])
        batch = []
      }
      n += batch.length
      await index.db.write(batch, [])
      index.built.add(room.id)
      this.log.debug({ room: room.id, messages: n, ms: Date.now() - started }, 'indexed an encrypted room in memory')
    }
  }

  async #doc(m: Message, open: Open): Promise<SearchDoc | undefined> {
    if (!m.sealed || m.deleted) return undefined
    const opened = await open(m)
    return opened.unreadable || opened.text === '' ? undefined : docOf(opened)
  }

  /** Closes the index of everyone with no session left on this machine. */
  async sessionsChanged(hasSession: (username: string) => Promise<boolean>): Promise<void> {
    for (const [key, index] of this.#by) {
      if (await hasSession(key)) continue
      this.#by.delete(key)
      await index.queue
      await index.db.close()
      this.log.info({ username: key }, 'logged out: closed their in-memory index of encrypted rooms')
    }
  }

  /** Whose indexes are open (tests). */
  get open(): string[] {
    return [...this.#by.keys()]
  }

  async closeAll(): Promise<void> {
    await this.sessionsChanged(async () => false)
  }
}
