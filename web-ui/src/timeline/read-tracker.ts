/**
 * What this person has read: the unread count (tab title, room header), the "New messages"
 * divider, and marking read. A message counts as read once the page is visible, has focus
 * and shows the newest message, as in Slack or Mattermost; the divider then stays where it
 * was until the next time new messages arrive unseen, or "Mark as read".
 *
 * The daemon keeps the position per account on every machine, so a `read` event can also
 * come from the person reading elsewhere.
 */
import type { Message, ReadPosition } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import type { Timeline } from './timeline.js'
import {
  badgeText,
  countAfter,
  firstUnread,
  parseReadPosition,
  readPath,
  ReadMarker,
  unreadTotal,
  type ReadSnapshot,
} from './unread-model.js'

export interface ReadParts {
  scroller: HTMLElement
  /** The room header: marked while there is something unread (it shows even at phone width). */
  head: HTMLElement
  badge: HTMLElement
  markButton: HTMLButtonElement
}

export interface ReadHost {
  me(): string | null
  /** Whether history older than the oldest loaded message exists. */
  olderExist(): boolean
  /** "Mark as read" hid itself: focus must go somewhere useful. */
  markedAll(): void
  /** The room on screen, whose position this is. */
  room(): string
  /** Whether reading counts: not in a public room only previewed (no position to move). */
  canMark(): boolean
  /** The count changed (for the tab title, which adds up every room). */
  counted(n: number): void
}

/** Where the new messages came from: history shows them from the first; live ones follow. */
export type SyncKind = 'load' | 'live'

export class ReadTracker {
  /** Everything up to this seq is read (the daemon's answer, a `read` event, or seen here). */
  private readSeq = 0
  /** "New messages" goes above the first message by others after this seq; null: nowhere. */
  private dividerAfter: number | null = null
  private snapshot: ReadSnapshot | null = null
  private count = 0
  /** Set by a fresh load: open the page at the divider once it is placed. */
  private openAtDivider = false
  /** A fresh load is still paging back: the view is not where the person will start. */
  private holding = false
  private readonly marker: ReadMarker

  constructor(
    private readonly api: Api,
    private readonly timeline: Timeline,
    private readonly parts: ReadParts,
    private readonly host: ReadHost,
  ) {
    // The path is taken when the mark is sent; a room switch flushes first, so it is the right room.
    this.marker = new ReadMarker((seq) => api.put(readPath(host.room()), { seq }, { keepalive: true }))
    parts.scroller.addEventListener('scroll', () => this.look(), { passive: true })
    window.addEventListener('focus', () => this.look())
    document.addEventListener('visibilitychange', () => (document.hidden ? void this.flush() : this.look()))
    window.addEventListener('pagehide', () => void this.flush())
    parts.markButton.addEventListener('click', () => this.markAll())
  }

  /** The daemon's position, or null (an older daemon, a failure): then nothing is counted. */
  async fetch(): Promise<ReadPosition | null> {
    try {
      return parseReadPosition(await this.api.get<unknown>(readPath(this.host.room())))
    } catch {
      return null
    }
  }

  /**
   * History was loaded after `position` was fetched. A fresh load (log-in, reload, a gap)
   * starts from the daemon's position and opens at the divider; without a position,
   * everything loaded counts as read: no number beats a wrong one.
   */
  loaded(position: ReadPosition | null, fresh: boolean): void {
    const newest = this.timeline.newestSeq() ?? 0
    if (position) {
      this.snapshot = { ...position, asOf: newest }
      this.marker.known(position.seq)
    }
    this.readSeq = Math.max(this.readSeq, position?.seq ?? (fresh ? newest : 0))
    if (!fresh) return
    // Nothing unread: no divider to page back for (a position can be set without reading, at joining).
    this.dividerAfter = position && position.seq > 0 && position.unread > 0 ? position.seq : null
    this.count = 0
    this.openAtDivider = this.holding = true
  }

  /** The seq "New messages" is placed after, for paging back until it can be shown. */
  get dividerSeq(): number | null {
    return this.dividerAfter
  }

  /** Messages were added: place the divider, mark what is seen, count the rest. */
  sync(kind: SyncKind): void {
    const me = this.host.me()
    if (!me) return
    const messages = this.timeline.messages()
    const unseen = countAfter(messages, this.readSeq, me) > 0 && (kind === 'load' || !this.reading())
    // New messages arrived unseen after everything was read: the divider goes above them.
    if (this.count === 0 && unseen && this.readSeq > 0) this.dividerAfter = this.readSeq
    this.placeDivider(messages, me, kind)
    if (kind === 'load') this.openAtDivider = this.holding = false
    this.look(false)
    this.recount()
  }

  /** The person read up to `seq`, here or on another machine. */
  onRead(seq: number): void {
    this.marker.known(seq)
    if (seq <= this.readSeq) return
    this.readSeq = seq
    const oldest = this.timeline.oldestSeq()
    // Read elsewhere only part of what is not loaded here: only the daemon can count it.
    if (oldest !== null && seq < oldest && this.host.olderExist()) void this.refetch()
    this.recount()
  }

  /** The count shown now (the room on screen). */
  get unread(): number {
    return this.count
  }

  /** Sends the pending mark now (log-out, the page hidden or left, another room opened). */
  flush(): Promise<void> {
    return this.marker.flush()
  }

  reset(): void {
    this.marker.reset()
    this.readSeq = 0
    this.dividerAfter = null
    this.snapshot = null
    this.openAtDivider = this.holding = false
    this.count = 0
    this.timeline.markNewFrom(null)
    this.render()
  }

  private placeDivider(messages: readonly Message[], me: string, kind: SyncKind): void {
    const after = this.dividerAfter
    const oldest = messages[0]?.seq
    // Above the oldest loaded message it would say nothing older is new: only when true.
    const whole = after !== null && oldest !== undefined && (oldest <= after || !this.host.olderExist())
    const first = whole ? firstUnread(messages, after, me) : null
    const moved = this.timeline.markNewFrom(first?.seq ?? null)
    if (kind !== 'load' || (!moved && !this.openAtDivider)) return
    if (first) this.timeline.scrollToNewMark()
    else if (this.openAtDivider && after !== null && !whole) this.timeline.scrollToOldest()
  }

  private reading(): boolean {
    return document.visibilityState === 'visible' && document.hasFocus() && this.timeline.atNewest()
  }

  /** If the newest message is in front of the person, it and everything before it is read. */
  private look(recount = true): void {
    const newest = this.timeline.newestSeq()
    if (newest === null || this.holding || !this.host.me() || !this.host.canMark() || !this.reading()) return
    // Marked even when already read here: a mark that failed to send is tried again.
    this.marker.mark(newest)
    if (newest <= this.readSeq) return
    this.readSeq = newest
    if (recount) this.recount()
  }

  private markAll(): void {
    const newest = this.timeline.newestSeq()
    if (newest === null) return
    this.readSeq = Math.max(this.readSeq, newest)
    this.dividerAfter = null
    this.timeline.markNewFrom(null)
    this.marker.mark(newest)
    void this.marker.flush()
    this.recount()
    this.host.markedAll()
  }

  private async refetch(): Promise<void> {
    const position = await this.fetch()
    if (!position || !this.host.me()) return
    this.snapshot = { ...position, asOf: this.timeline.newestSeq() ?? 0 }
    this.readSeq = Math.max(this.readSeq, position.seq)
    this.recount()
  }

  private recount(): void {
    const me = this.host.me()
    this.count = me ? unreadTotal(this.timeline.messages(), this.readSeq, me, this.snapshot, this.host.olderExist()) : 0
    this.render()
  }

  private render(): void {
    const n = this.count
    this.host.counted(n)
    this.parts.badge.textContent = n > 0 ? badgeText(n) : ''
    this.parts.badge.hidden = n === 0
    this.parts.markButton.hidden = n === 0
    this.parts.head.classList.toggle('has-unread', n > 0)
  }
}
