/**
 * Opens the daemon's LevelDB and gives the rest of the daemon one way to change the log:
 * `append` (entries in order, views updated in the same synced batch) and `truncateAfter`
 * (undo entries the relay never had, keeping them in the outbox so nothing is lost).
 */
import { Level } from 'level'
import type { Logger } from 'pino'
import type { AccountKeys, Entry, Submission } from '../../shared/index.js'
import { DiskFullError, StoreError, isNoSpace } from '../errors/index.js'
import { DiskWatch, type DiskWatchOptions } from './disk.js'
import { ENCODED, encodedOps } from './encoded.js'
import { GroupCommit } from './group-commit.js'
import { seqKey } from './keys.js'
import { EntryLog } from './log.js'
import { OrderRecords } from './order.js'
import type { Op, Sub, ViewSubs } from './types.js'
import { Views } from './views.js'

export { EntryLog } from './log.js'
export { GENESIS, chainOver, chainStep } from './chain.js'
export { OrderRecords, type ForkProof } from './order.js'
export { Views } from './views.js'
export { UNREAD_COUNT_MAX, ViewQueries } from './queries.js'
export type { Account, KeyNotice, Op, ReadState, Room, RoomKeyRecord, ViewName } from './types.js'
export { notifyKey } from './keys.js'
export { GroupCommit } from './group-commit.js'
export { readHere } from './pages.js'
export { ViewTx } from './tx.js'
export { react } from './apply.js'
export type { DiskState, DiskWatchOptions } from './disk.js'

/** Bumped whenever what the views keep changes; a database with another version is rebuilt. */
export const VIEWS_VERSION = 5
const VIEWS_VERSION_KEY = 'views.version'
const REBUILD_CHUNK = 1000
/** A tiny write that tells whether LevelDB takes writes again after a full disk. */
const PROBE_KEY = 'disk.probe'

/** A submission waiting in the outbox, with the key that keeps resends in submission order. */
export interface OutboxItem {
  order: string
  submission: Submission
}

/** Sorts by time, then by a per-origin counter (new submissions) or the old seq (truncated ones). */
export function outboxOrder(ts: number, n: number): string {
  return `${ts.toString().padStart(13, '0')}.${n.toString().padStart(12, '0')}`
}

/**
 * One of the two records of a log-in session (daemon/accounts/sessions.ts): the one its bearer
 * token finds, or the one its cookie secret finds. Records from before the two were separate
 * have no `kind` and find nothing.
 */
export interface LocalSession {
  username: string
  csrfToken: string
  createdAt: number
  kind: 'bearer' | 'cookie'
  /** The key of the other record of the same session, so log-out by either ends both. */
  twin: string
  /**
   * The account's private keys, sealed with this record's own secret (accounts/session-keys.ts),
   * which is not stored: a copied database opens nothing. Absent for an account without keys.
   */
  sealedKeys?: string
  /** The public halves of those keys: what this session signs as (it may predate the log's). */
  publicKeys?: AccountKeys
}

export class Store {
  readonly log: EntryLog
  readonly views: Views
  readonly outbox: Sub<OutboxItem>
  readonly sessions: Sub<LocalSession>
  readonly meta: Sub<unknown>
  /** Relays' signed order statements and the forks they proved (order.ts). */
  readonly order: OrderRecords
  /** Whether the disk is full, and how the store gets back on its feet (disk.ts). */
  readonly disk: DiskWatch
  #log: Logger | undefined
  /** Set while the database is being reopened: writes wait for it. */
  #reopening: Promise<void> | null = null
  #writing = 0
  #drained: (() => void) | null = null
  /** Closing the database closes its sublevels, and opening it does not open them again: reopen does. */
  readonly #sublevels: { open: () => Promise<void> }[] = []
  /** The same sublevels, to tell a batch's ops on them from any other (encoded.ts). */
  readonly #ours = new Set<object>()
  /** Small writes asked at once share one synced batch (group-commit.ts): the outbox's. */
  readonly #group = new GroupCommit((ops) => this.write(ops))

  private constructor(
    readonly db: Level<string, unknown>,
    dir: string,
    opts: StoreOptions,
  ) {
    this.#log = opts.log
    this.disk = new DiskWatch(dir, () => this.recover(), { ...opts.disk, log: opts.log })
    const sub = <V>(name: string) => {
      const level = db.sublevel<string, V>(name, { valueEncoding: 'json' })
      this.#sublevels.push(level)
      this.#ours.add(level)
      return level as unknown as Sub<V>
    }
    this.log = new EntryLog(sub<Entry>('log'), sub<number>('ids'), sub<string>('chain'))
    const names = [
      'users',
      'msgs',
      'reads',
      'rooms',
      'roomNames',
      'members',
      'memberOf',
      'notices',
      'roomKeys',
      'notify',
      'pins',
      'threads',
    ] as const
    this.views = new Views({ ...Object.fromEntries(names.map((n) => [n, sub<unknown>(n)])), ids: this.log.ids } as ViewSubs, sub('undo'))
    this.outbox = sub<OutboxItem>('outbox')
    this.sessions = sub<LocalSession>('sessions')
    this.meta = sub<unknown>('meta')
    this.order = new OrderRecords(sub('orderSeen'), sub('forks'))
  }

  static async open(dir: string, opts: StoreOptions = {}): Promise<Store> {
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' })
    try {
      await db.open()
    } catch (cause) {
      const locked = (cause as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED'
      throw new StoreError(
        locked
          ? `The database at ${dir} is in use by another SO-CHAT daemon. Stop it, or start this one with another --data-dir.`
          : `Could not open the database at ${dir}. It may be damaged; move it aside and restart to rebuild it from the relay.`,
        { cause },
      )
    }
    const store = new Store(db, dir, opts)
    await store.log.load()
    if ((await store.meta.get(VIEWS_VERSION_KEY)) !== VIEWS_VERSION) await store.rebuildViews()
    return store
  }

  /**
   * Derives every view again from the log: a database written by an older SO-CHAT, whose views
   * lack what this one keeps (rooms, undo records), is brought up to date at start, once.
   */
  private async rebuildViews(): Promise<void> {
    for (const sub of [...Object.values(this.views.subs), this.views.undoRecords]) await sub.clear()
    for (let from = 1; from <= this.log.head; from += REBUILD_CHUNK) {
      const tx = this.views.tx()
      await this.views.apply(await this.log.range(from, REBUILD_CHUNK), tx)
      await this.write(tx.ops)
    }
    await this.write([put(this.meta, VIEWS_VERSION_KEY, VIEWS_VERSION)])
  }

  /**
   * Appends entries that follow the head without a gap, with their view updates, in one synced
   * batch. Entries at or below the head are skipped (a replayed batch), a gap is an error.
   */
  async append(entries: Entry[]): Promise<Entry[]> {
    let head = this.log.head
    const fresh: Entry[] = []
    const tx = this.views.tx()
    for (const entry of entries) {
      if (entry.seq <= head) continue
      if (entry.seq !== head + 1) throw new StoreError(`Log gap: expected entry ${head + 1}, got ${entry.seq}.`)
      tx.ops.push(...this.entryOps(entry))
      fresh.push(entry)
      head = entry.seq
    }
    if (fresh.length === 0) return fresh
    const chained = this.log.chainOps(fresh)
    tx.ops.push(...chained.ops)
    await this.views.apply(fresh, tx)
    await this.write(tx.ops)
    this.log.setHead(
      head,
      chained.chain,
      fresh.map((e, i) => ({ seq: e.seq, chain: chained.values[i]! })),
    )
    return fresh
  }

  /** Removes entries after `seq` and moves them into the outbox, in one batch. */
  truncateAfter(seq: number): Promise<Entry[]> {
    return this.truncate(seq, (ops) => this.write(ops))
  }

  private async truncate(seq: number, write: (ops: Op[]) => Promise<void>): Promise<Entry[]> {
    const removed = await this.log.range(seq + 1, Number.MAX_SAFE_INTEGER)
    if (removed.length === 0) return removed
    const chain = await this.log.chainAt(seq)
    if (chain === undefined) throw new StoreError(`The log has no chain value at ${seq}.`)
    const ops: Op[] = []
    // Newest first: each undo record holds what was there just before its entry.
    for (const entry of removed.slice().reverse()) ops.push(...(await this.views.revertOps(entry)))
    for (const entry of removed) {
      ops.push(del(this.log.entries, seqKey(entry.seq)), del(this.log.ids, entry.id), del(this.log.chains, seqKey(entry.seq)))
      const { seq: _s, term: _t, ...submission } = entry
      ops.push(put(this.outbox, entry.id, { order: outboxOrder(entry.ts, entry.seq), submission }))
    }
    await write(ops)
    this.log.setHead(seq, chain)
    return removed
  }

  async close(): Promise<void> {
    this.disk.close()
    await this.db.close()
  }

  private entryOps(entry: Entry): Op[] {
    return [
      put(this.log.entries, seqKey(entry.seq), entry),
      // The entry is in the log now: whatever waited for it in the outbox is done.
      del(this.outbox, entry.id),
    ]
  }

  /**
   * One synced batch: durable when it resolves; when it rejects, nothing of it was written. A
   * full disk is a `DiskFullError` (507 disk_full), and the store recovers by itself (disk.ts).
   */
  async write(ops: Op[]): Promise<void> {
    while (this.#reopening) await this.#reopening
    this.#writing++
    try {
      await this.batch(ops)
    } finally {
      if (--this.#writing === 0) this.#drained?.()
    }
  }

  /**
   * Like `write` (durable when it resolves, nothing of it written when it rejects), but shared
   * with the other `commit`s asked while a previous one is on the disk: one fsync for many.
   */
  commit(ops: Op[]): Promise<void> {
    return this.#group.commit(ops)
  }

  private async batch(ops: Op[]): Promise<void> {
    try {
      const encoded = encodedOps(ops, this.#ours)
      // biome-ignore lint/suspicious/noExplicitAny: the batch spans sublevels of several value types, which level's types cannot say
      if (encoded) await this.db.batch(encoded as any, { sync: true, ...ENCODED })
      // biome-ignore lint/suspicious/noExplicitAny: as above
      else await this.db.batch(ops as any, { sync: true })
    } catch (cause) {
      if (!isNoSpace(cause)) throw new StoreError('Writing to the database failed; the change was not saved.', { cause })
      this.disk.filled(cause)
      throw new DiskFullError(diskFullMessage(this.disk.dir), { cause })
    }
    this.disk.wrote()
  }

  /**
   * Called by the disk watcher once there is room: a tiny write, and if LevelDB still refuses
   * it (its background error sticks until reopened), a reopen and the same write again.
   */
  private async recover(): Promise<boolean> {
    const probe = () => this.batch([put(this.meta, PROBE_KEY, Date.now())])
    try {
      await probe()
      return true
    } catch (err) {
      if (!(err instanceof DiskFullError)) throw err
    }
    await this.reopen()
    await probe()
    return true
  }

  /**
   * Closes and opens the database again, which clears LevelDB's sticky error. Writes wait
   * (none is in flight when it closes); reads asked while it opens are queued by abstract-level.
   * Only while the disk is full, and at most once per look (disk.ts).
   */
  async reopen(): Promise<void> {
    let done = () => {}
    this.#reopening = new Promise<void>((resolve) => (done = resolve))
    try {
      while (this.#writing > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
      this.#drained = null
      const head = this.log.head
      await this.db.close()
      // All at once: from here on reads wait for the opening (abstract-level defers them)
      // rather than fail; only those asked during the close itself (milliseconds) fail.
      await Promise.all([this.db.open(), ...this.#sublevels.map((level) => level.open())])
      this.#log?.info({ dataDir: this.disk.dir }, 'the database was opened again to clear the error a full disk left')
      await this.restoreHead(head)
    } finally {
      this.#reopening = null
      done()
    }
  }

  /**
   * LevelDB says a batch whose sync failed "may or may not show up" once reopened. Such a batch
   * was answered as failed, so it is taken back (into the outbox, from which it is sent again
   * and deduplicated by id): the log stays what was acknowledged.
   */
  private async restoreHead(head: number): Promise<void> {
    let found = head
    for await (const key of this.log.entries.keys({ reverse: true, limit: 1 })) found = Number(key)
    if (found <= head) return
    this.#log?.warn({ head, found }, 'entries whose write had failed appeared after reopening; they go back to the outbox')
    await this.truncate(head, (ops) => this.batch(ops))
  }
}

export interface StoreOptions {
  log?: Logger
  disk?: Omit<DiskWatchOptions, 'log'>
}

/** What a person reads when a write is refused for lack of space. */
export function diskFullMessage(dataDir: string): string {
  return `This computer's disk is full (the one holding ${dataDir}), so this was not saved. Nothing already saved is lost. Free some space on that disk: SO-CHAT notices within seconds and works again by itself.`
}

export function put<V>(sublevel: Sub<V>, key: string, value: V): Op {
  return { type: 'put', sublevel, key, value }
}

export function del<V>(sublevel: Sub<V>, key: string): Op {
  return { type: 'del', sublevel, key }
}
