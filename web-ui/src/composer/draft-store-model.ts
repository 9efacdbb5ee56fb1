/**
 * Unsent drafts per room, kept across reloads (issue 17). Each draft is one entry of the
 * browser's storage, keyed by account and room (`so-chat:draft:<account>:<room>`), so two
 * people who use the same browser never see each other's drafts, and a room's draft comes
 * back when the page is reloaded or the room opened again.
 *
 * Page-free: the storage is handed in (localStorage in the page, a Map in the Node tests).
 * Storage can be missing or full (private windows, quota): the draft is then kept in memory
 * for this page's life, and `save` says so, for the caller to log; the box never breaks.
 */

/** The part of the Web Storage API this uses (localStorage has it). */
export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
  readonly length: number
  key(index: number): string | null
}

const PREFIX = 'so-chat:draft:'
/**
 * Longer drafts are cut to this many UTF-16 units: a message is at most 16 KiB of UTF-8, so
 * this keeps every sendable draft whole while a pasted book cannot fill the quota.
 */
export const MAX_DRAFT_CHARS = 32 * 1024

function keyFor(account: string, room: string): string {
  // Account names and room ids have no ':' (shared/ names), but encode anyway so a key is
  // never ambiguous whatever they become.
  return `${PREFIX}${encodeURIComponent(account)}:${encodeURIComponent(room)}`
}

export type SaveResult = { ok: true } | { ok: false; error: unknown }

export class DraftStore {
  /** Used when storage refuses (or there is none): drafts then live as long as the page. */
  private readonly memory = new Map<string, string>()

  constructor(private readonly storage: KeyValueStore | null) {}

  /** The draft of `room` for `account`, or '' when there is none. */
  load(account: string, room: string): string {
    const key = keyFor(account, room)
    const kept = this.memory.get(key)
    if (kept !== undefined) return kept
    try {
      return this.storage?.getItem(key) ?? ''
    } catch {
      return ''
    }
  }

  /** Keeps `text` as the draft of `room` (blank text removes it). */
  save(account: string, room: string, text: string): SaveResult {
    const key = keyFor(account, room)
    const value = text.slice(0, MAX_DRAFT_CHARS)
    if (value.trim() === '') return this.remove(key)
    try {
      if (!this.storage) throw new Error('no browser storage')
      this.storage.setItem(key, value)
      this.memory.delete(key)
      return { ok: true }
    } catch (error) {
      this.memory.set(key, value)
      return { ok: false, error }
    }
  }

  /** A message was sent from `room`: its draft goes, unless it has changed since (typed on). */
  sent(account: string, room: string, text: string): SaveResult {
    if (this.load(account, room) !== text.slice(0, MAX_DRAFT_CHARS)) return { ok: true }
    return this.remove(keyFor(account, room))
  }

  /** Forgets every draft of `account` (log-out: the next person at this browser sees none). */
  forget(account: string): void {
    const mine = `${PREFIX}${encodeURIComponent(account)}:`
    for (const key of [...this.memory.keys()]) if (key.startsWith(mine)) this.memory.delete(key)
    if (!this.storage) return
    const keys: string[] = []
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i)
      if (key?.startsWith(mine)) keys.push(key)
    }
    for (const key of keys) this.storage.removeItem(key)
  }

  private remove(key: string): SaveResult {
    this.memory.delete(key)
    try {
      this.storage?.removeItem(key)
      return { ok: true }
    } catch (error) {
      return { ok: false, error }
    }
  }
}
