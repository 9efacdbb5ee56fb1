/**
 * Reading a page of a room's messages without walking more than the page. A `for await` over
 * a LevelDB iterator asks for one row first, then for as many as fit in 16 KiB, and hands them
 * over one promise at a time; a range read asked for exactly what is still missing (`nextv`)
 * takes one native call per page. Rows the caller skips (thread-only replies, which are in
 * `msgs` but not in the timeline) are made up for by asking again for what is still missing,
 * so a page reads its `limit` rows plus the ones it skipped, never the rest of the room.
 *
 * Batched point reads (`getMany`) replace a read per row where a page is a list of keys
 * (a thread's replies, a room's pins, the messages a batch of entries touched): one native
 * call instead of one per row.
 */
import type { Message } from '../../shared/index.js'
import { messageKey } from './keys.js'
import type { Lookup, Sub, ViewName, ViewSubs } from './types.js'

/**
 * Views whose records are small and read on every request (who is asking, the room, whether
 * they are in it): read on this thread (`getSync`, a few µs from LevelDB's cache) rather than
 * handed to the thread pool and back, a hop that costs ~35 µs on a quiet machine and several
 * ms on a busy one. Messages and other large or cold records stay asynchronous.
 */
const READ_HERE: ReadonlySet<ViewName> = new Set<ViewName>(['users', 'rooms', 'members', 'notify'])

/** A point read that stays on this thread while the database is open (during a reopen it waits like any read). */
export function readHere<V>(sub: Sub<V>, key: string): Promise<V | undefined> {
  return sub.status === 'open' ? Promise.resolve(sub.getSync(key)) : sub.get(key)
}

/** The views' point lookups over the database: small records read here, the rest through the thread pool. */
export function databaseLookup(subs: ViewSubs): Lookup {
  return async (sub, key) => (READ_HERE.has(sub) ? readHere(subs[sub], key) : subs[sub].get(key)) as never
}

/** The key range of one read, as LevelDB takes it. */
export interface Range {
  gt: string
  lt: string
  reverse?: boolean
  /** 'utf8': the values as the JSON text LevelDB holds, not decoded. */
  valueEncoding?: 'utf8'
}

/**
 * Up to `limit` values of `range` that `keep` accepts, in the range's order, read in batches
 * of what is still missing.
 */
export async function readPage<V>(sub: Sub<V>, range: Range, limit: number, keep: (v: V) => boolean): Promise<V[]> {
  const out: V[] = []
  if (limit <= 0) return out
  const it = sub.values(range)
  try {
    while (out.length < limit) {
      const batch = await it.nextv(limit - out.length)
      if (batch.length === 0) break
      for (const v of batch) if (keep(v)) out.push(v)
    }
  } finally {
    await it.close()
  }
  return out
}

/**
 * `readPage` of the values' JSON text as the store holds it, not decoded (`keep` decides on
 * that text): for an answer made of that text, which then allocates a fraction of decoding
 * the values and encoding them again (daemon/http/routes/messages.ts).
 */
export function readJsonPage(sub: Sub<unknown>, range: Range, limit: number, keep: (json: string) => boolean): Promise<string[]> {
  return readPage(sub as Sub<unknown> as Sub<string>, { ...range, valueEncoding: 'utf8' }, limit, keep)
}

/**
 * Every value of `range` in order, in batches of `size`, until `visit` returns false: for a
 * walk that must look at each row (counting unread messages) without a promise per row.
 */
export async function walk<V>(sub: Sub<V>, range: Range, size: number, visit: (v: V) => Promise<boolean> | boolean): Promise<void> {
  const it = sub.values(range)
  try {
    for (;;) {
      const batch = await it.nextv(size)
      if (batch.length === 0) return
      for (const v of batch) if (!(await visit(v))) return
    }
  } finally {
    await it.close()
  }
}

/**
 * Messages by entry id, each in its room (undefined where that id is no message of that room),
 * in two batched reads: the ids' seqs, then the messages.
 */
export async function messagesByIds(
  ids: Sub<unknown>,
  msgs: Sub<unknown>,
  refs: { room: string; id: string }[],
): Promise<(Message | undefined)[]> {
  if (refs.length === 0) return []
  const seqs = (await ids.getMany(refs.map((r) => r.id))) as (number | undefined)[]
  const keys = refs.map((r, i) => (seqs[i] === undefined ? null : messageKey(r.room, seqs[i]!)))
  const found = await msgs.getMany(keys.filter((k): k is string => k !== null))
  let next = 0
  return keys.map((k) => (k === null ? undefined : (found[next++] as Message | undefined)))
}

/** The messages of `room` at these seqs, in that order, in one batched read (missing ones left out). */
export async function messagesAt(msgs: Sub<unknown>, room: string, seqs: number[]): Promise<Message[]> {
  if (seqs.length === 0) return []
  const found = await msgs.getMany(seqs.map((seq) => messageKey(room, seq)))
  return found.filter((m): m is Message => m !== undefined)
}
