/**
 * Unread counting without the DOM, so the Node tests can run it: where "New messages" goes,
 * how many are unread, how much history to load to reach them, and the mark sent back to
 * the daemon. The read position belongs to the account and is replicated, so every machine
 * the person uses agrees on it; the page only moves it forward.
 */
import type { Message, ReadPosition } from '../../../shared/index.js'
import { isCount, isRecord } from '../app/ui-event-model.js'

export function readPath(room: string): string {
  return `/api/v1/rooms/${encodeURIComponent(room)}/read`
}
export const TITLE = 'SO-CHAT'
/** The usual history page, and the daemon's largest (MessagesQuery caps `limit` at 500). */
export const HISTORY_PAGE = 100
export const HISTORY_MAX_PAGE = 500
/**
 * How far back the page goes by itself to reach the first unread message. Beyond it the
 * count still says how many there are, and "Load older messages" goes on by hand.
 */
export const CATCH_UP_MAX = 1000
/** Reading fast through a busy room must not cost a request per message. */
export const MARK_DELAY_MS = 1500

export type Seen = Pick<Message, 'seq' | 'author'>

/** The daemon compares usernames without case; so must the count, or the two would differ. */
export function byOthers(m: Seen, me: string): boolean {
  return m.author.toLowerCase() !== me.toLowerCase()
}

/** Messages by others after `after`, among `messages`. */
export function countAfter(messages: readonly Seen[], after: number, me: string): number {
  let n = 0
  for (const m of messages) if (m.seq > after && byOthers(m, me)) n++
  return n
}

/** The message "New messages" goes above: the first by someone else after `after`. */
export function firstUnread<T extends Seen>(messages: readonly T[], after: number, me: string): T | null {
  return messages.find((m) => m.seq > after && byOthers(m, me)) ?? null
}

/** A `GET …/read` answer, with the newest seq the page had loaded right after asking. */
export interface ReadSnapshot extends ReadPosition {
  asOf: number
}

/**
 * Unread messages: those loaded after `readSeq`, plus those the daemon counted that are older
 * than anything loaded (a long absence). Messages newer than the snapshot are all loaded,
 * so only the ones up to `asOf` are compared with the daemon's number.
 */
export function unreadTotal(
  messages: readonly Seen[],
  readSeq: number,
  me: string,
  snapshot: ReadSnapshot | null,
  olderExist: boolean,
): number {
  const loaded = countAfter(messages, readSeq, me)
  const oldest = messages[0]?.seq
  if (!snapshot || !olderExist || oldest === undefined || oldest <= readSeq || snapshot.seq !== readSeq) return loaded
  const counted = countAfter(
    messages.filter((m) => m.seq <= snapshot.asOf),
    readSeq,
    me,
  )
  return loaded + Math.max(0, snapshot.unread - counted)
}

/** The first history page: the usual 100, or enough for the unread ones and a little before. */
export function historyLimit(unread: number): number {
  return Math.min(HISTORY_MAX_PAGE, Math.max(HISTORY_PAGE, unread + 20))
}

/**
 * After a long time away (the machine was off while the room went on), a full page that
 * starts after everything shown would leave a hole in the middle: the list starts over.
 */
export function leavesGap(page: readonly Seen[], limit: number, shownNewest: number | null): boolean {
  return page.length >= limit && shownNewest !== null && page[0]!.seq > shownNewest
}

/** Whether to page back for the first unread message: there is more, and not too much loaded. */
export function needsOlder(oldestSeq: number | null, dividerAfter: number | null, olderExist: boolean, loaded: number): boolean {
  if (dividerAfter === null || oldestSeq === null || !olderExist) return false
  return oldestSeq > dividerAfter && loaded < CATCH_UP_MAX
}

export function olderPageLimit(loaded: number): number {
  return Math.max(1, Math.min(HISTORY_MAX_PAGE, CATCH_UP_MAX - loaded))
}

export function titleFor(count: number): string {
  return count > 0 ? `(${count}) ${TITLE}` : TITLE
}

export function badgeText(count: number): string {
  return `${count.toLocaleString('en')} new`
}

/** `{seq, unread}` with both whole and not negative, or null. */
export function parseReadPosition(json: unknown): ReadPosition | null {
  if (!isRecord(json) || !isCount(json.seq) || !isCount(json.unread)) return null
  return { seq: json.seq, unread: json.unread }
}

export interface Clock {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const realClock: Clock = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Sends the read mark: at most one request per MARK_DELAY_MS however fast the person reads
 * (the first mark starts the wait, later ones only raise the seq it will send), never a seq
 * at or below what the daemon has or was already sent. A failed send is forgotten, so the
 * next mark (a scroll, a message, a reconnect) tries again.
 */
export class ReadMarker {
  /** The highest seq the daemon has or was sent. */
  private sent = 0
  private wanted = 0
  private timer: unknown = null

  constructor(
    private readonly put: (seq: number) => Promise<void>,
    private readonly delayMs = MARK_DELAY_MS,
    private readonly clock: Clock = realClock,
  ) {}

  /** The daemon's own position (its answer, or a `read` event). */
  known(seq: number): void {
    this.sent = Math.max(this.sent, seq)
  }

  mark(seq: number): void {
    if (seq <= this.sent) return
    this.wanted = Math.max(this.wanted, seq)
    this.timer ??= this.clock.set(() => void this.flush(), this.delayMs)
  }

  /** Sends what waits now: when the page is hidden or left, a later send may never happen. */
  async flush(): Promise<void> {
    this.stopTimer()
    const seq = this.wanted
    if (seq <= this.sent) return
    const before = this.sent
    this.sent = seq
    try {
      await this.put(seq)
    } catch {
      if (this.sent === seq) this.sent = before
    }
  }

  reset(): void {
    this.stopTimer()
    this.sent = 0
    this.wanted = 0
  }

  private stopTimer(): void {
    if (this.timer !== null) this.clock.clear(this.timer)
    this.timer = null
  }
}
