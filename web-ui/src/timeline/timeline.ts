/**
 * The message list. Messages arrive from three places (history, the live feed, the answer to
 * our own send) in any order and more than once, so the list is kept sorted by the relay's
 * sequence number and deduplicated by message id. Nodes are inserted, never re-rendered:
 * the list is an aria-live log, and rebuilding it would make screen readers re-read it all.
 * Text goes in with textContent only; a message is never markup.
 *
 * My messages still in this machine's outbox have no seq yet: they wait below everything
 * ordered, marked as pending, and become the real message in place when it arrives.
 *
 * Key notices (a member's keys changed) are rows of their own, kept apart from the messages
 * (they are not messages: no reading, reacting or editing counts them) but placed by the same
 * seq, deduplicated by it, and inserted like messages, never re-rendered.
 */
import type { Message, TimelineNotice } from '../../../shared/index.js'
import { dayKey } from '../app/format-model.js'
import { showArrived, showDeliveryState, type RowAction } from './delivery-state.js'
import { refillRow, renderDayDivider, renderNewDivider, renderRow, syncEncryptionNotice } from './message-row.js'
import { renderNotice } from './notice-row.js'
import { startsEncryption } from './sealed-model.js'

/** A message this page sent that waits in this machine's outbox: it has no seq yet. */
export type PendingMessage = Omit<Message, 'seq'>

interface Row {
  message: Message
  el: HTMLElement
  /** The day heading shown above this row when it starts a new day. */
  divider: HTMLElement | null
}

interface PendingRow {
  message: PendingMessage
  el: HTMLElement
  failed: boolean
}

export interface TimelineActions {
  /** "Copy text back to the composer" on a failed row. */
  copyBack(text: string): void
  /** A row was dismissed: its button is gone, so focus must go somewhere useful. */
  dismissed(): void
}

/** How close to the bottom still counts as "reading the newest", in pixels. */
const STICKY_BOTTOM_PX = 64
/** Breathing room above the last message read, when the page opens at "New messages". */
const CONTEXT_GAP_PX = 8

export class Timeline {
  private rows: Row[] = []
  private readonly ids = new Set<string>()
  /** Outbox messages, shown after everything ordered until the relay gives them a seq. */
  private readonly pending = new Map<string, PendingRow>()
  /**
   * Refusals by id, kept for the session: a refusal can arrive before the row it is about
   * (the send's answer is still on its way), and a stale outbox answer must not bring a
   * refused or dismissed message back as pending. `null`: dismissed.
   */
  private readonly refused = new Map<string, string | null>()
  private me: string | null = null
  /** Key notices shown, by seq. */
  private notices: { seq: number; el: HTMLElement }[] = []
  /** "New messages": sits between a row's day heading (if any) and the row itself. */
  private newMark: { el: HTMLElement; row: Row } | null = null

  constructor(
    private readonly log: HTMLElement,
    private readonly scroller: HTMLElement,
    private readonly actions: TimelineActions,
  ) {
    log.addEventListener('click', (ev) => this.onClick(ev))
  }

  setMe(username: string | null): void {
    this.me = username
  }

  /** Everyone who wrote something shown here. */
  authors(): string[] {
    return [...new Set(this.rows.map((r) => r.message.author))]
  }

  clear(): void {
    this.rows = []
    this.ids.clear()
    this.pending.clear()
    this.refused.clear()
    this.newMark = null
    this.notices = []
    this.log.replaceChildren()
  }

  get size(): number {
    return this.rows.length + this.pending.size + this.notices.length
  }

  oldestSeq(): number | null {
    return this.rows[0]?.message.seq ?? null
  }

  newestSeq(): number | null {
    return this.rows[this.rows.length - 1]?.message.seq ?? null
  }

  /** The ordered messages, oldest first (pending ones have no seq and are not among them). */
  messages(): Message[] {
    return this.rows.map((r) => r.message)
  }

  find(id: string): Message | null {
    return this.rows.find((r) => r.message.id === id)?.message ?? null
  }

  /** An edit, a deletion or a reaction: the row shows the message as it is now, in place. */
  update(message: Message): boolean {
    const row = this.rows.find((r) => r.message.id === message.id)
    if (!row) return false
    row.message = message
    const atBottom = this.isAtBottom()
    row.el = refillRow(row.el, message, message.author === this.me, this.me)
    if (atBottom) this.scrollToNewest()
    return true
  }

  /** Ids of the rows still waiting for the relay (not those already marked as failed). */
  waitingIds(): string[] {
    return [...this.pending.values()].filter((p) => !p.failed).map((p) => p.message.id)
  }

  /**
   * Adds the messages not seen yet and returns them. `scroll` says what the view does:
   * follow the newest (if the reader was already there, or always), keep its place
   * when older history is put above, or stay put when newer history is put below.
   */
  add(messages: readonly Message[], scroll: 'follow' | 'force' | 'keep' | 'stay' = 'follow'): Message[] {
    const fresh = messages.filter((m) => !this.ids.has(m.id))
    if (fresh.length === 0) return fresh
    const atBottom = this.isAtBottom()
    const heightBefore = this.scroller.scrollHeight
    const bulk = fresh.length > 1
    // A burst of history is one update; announcing each of 100 rows would drown the reader.
    if (bulk) this.log.setAttribute('aria-busy', 'true')
    for (const m of fresh) this.insert(m)
    if (bulk) this.log.setAttribute('aria-busy', 'false')
    if (scroll === 'keep') this.scroller.scrollTop += this.scroller.scrollHeight - heightBefore
    else if (scroll === 'force' || (atBottom && scroll !== 'stay')) this.scrollToNewest()
    return fresh
  }

  /** Key notices of this room, each at its place by seq (one shown already stays); `scroll` as for add. */
  addNotices(notices: readonly TimelineNotice[], scroll: 'follow' | 'keep' | 'stay' = 'follow'): void {
    const atBottom = this.isAtBottom()
    const heightBefore = this.scroller.scrollHeight
    for (const n of notices) {
      if (this.notices.some((shown) => shown.seq === n.seq)) continue
      const el = renderNotice(n, this.me)
      this.log.insertBefore(el, this.anchorFor(n.seq))
      const at = this.notices.findIndex((shown) => shown.seq > n.seq)
      this.notices.splice(at < 0 ? this.notices.length : at, 0, { seq: n.seq, el })
    }
    if (scroll === 'keep') this.scroller.scrollTop += this.scroller.scrollHeight - heightBefore
    else if (atBottom && scroll !== 'stay') this.scrollToNewest()
  }

  /**
   * A search result opened: its row in the middle of the view, focused (so the arrows go on
   * from it) and marked `found` for a few seconds. False when the row is not shown.
   */
  reveal(id: string, highlightMs: number): boolean {
    const row = this.rows.find((r) => r.message.id === id)
    if (!row) return false
    row.el.scrollIntoView({ block: 'center' })
    row.el.tabIndex = -1
    row.el.focus({ preventScroll: true })
    row.el.classList.add('found')
    setTimeout(() => row.el.classList.remove('found'), highlightMs)
    return true
  }

  /** Shows sent-but-not-yet-ordered messages at the bottom, marked as waiting. */
  addPending(messages: readonly PendingMessage[]): void {
    let added = false
    for (const m of messages) {
      if (this.ids.has(m.id) || this.pending.has(m.id) || this.refused.get(m.id) === null) continue
      const el = renderRow({ ...m, seq: 0 }, true, this.me)
      this.pending.set(m.id, { message: m, el, failed: false })
      showDeliveryState(el, { kind: 'pending' })
      this.log.append(el)
      added = true
      const reason = this.refused.get(m.id)
      if (typeof reason === 'string') this.markFailed(m.id, reason)
    }
    if (added) this.scrollToNewest()
  }

  /** The relay refused a waiting message: say so on its row (or on it when it shows up). */
  markFailed(id: string, reason: string): void {
    if (this.ids.has(id)) return
    if (this.refused.get(id) !== null) this.refused.set(id, reason)
    const row = this.pending.get(id)
    if (!row || row.failed) return
    const atBottom = this.isAtBottom()
    row.failed = true
    showDeliveryState(row.el, { kind: 'failed', reason })
    // The row grew (reason, buttons): keep it in view if the reader was at the newest.
    if (atBottom) this.scrollToNewest()
  }

  scrollToNewest(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight
  }

  /** Puts "New messages" above the message with this seq, or removes it (null); true if it moved. */
  markNewFrom(seq: number | null): boolean {
    const at = seq === null ? -1 : this.indexFor(seq) - 1
    const row = at >= 0 && this.rows[at]!.message.seq === seq ? this.rows[at]! : null
    if ((this.newMark?.row ?? null) === row) return false
    this.newMark?.el.remove()
    this.newMark = null
    if (!row) return true
    this.newMark = { el: renderNewDivider(), row }
    this.log.insertBefore(this.newMark.el, row.el)
    return true
  }

  /**
   * Opens the page at "New messages" with the last message read whole above it, for context
   * (at most a third of the view, should that message be very long).
   */
  scrollToNewMark(): void {
    if (!this.newMark) return
    const top = this.scroller.getBoundingClientRect().top
    const mark = this.newMark.el.getBoundingClientRect().top - top
    const above = this.newMark.el.previousElementSibling
    const context = above ? mark - (above.getBoundingClientRect().top - top) + CONTEXT_GAP_PX : 0
    this.scroller.scrollTop += mark - Math.min(context, this.scroller.clientHeight / 3)
  }

  /** Opens the page at the top: the first unread message is older than anything loaded. */
  scrollToOldest(): void {
    this.scroller.scrollTop = 0
  }

  /** Whether the newest message is in view: the person can be taken to have read it. */
  atNewest(): boolean {
    return this.rows.length > 0 && this.isAtBottom()
  }

  private isAtBottom(): boolean {
    const s = this.scroller
    return s.scrollHeight - s.scrollTop - s.clientHeight < STICKY_BOTTOM_PX
  }

  private onClick(ev: MouseEvent): void {
    const button = (ev.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]')
    const id = button?.closest<HTMLElement>('.msg')?.dataset.id
    const row = id ? this.pending.get(id) : undefined
    if (!button || !row) return
    const action = button.dataset.action as RowAction
    if (action === 'copy-back') return this.actions.copyBack(row.message.text)
    this.refused.set(row.message.id, null)
    this.pending.delete(row.message.id)
    row.el.remove()
    this.actions.dismissed()
  }

  private insert(message: Message): void {
    this.ids.add(message.id)
    const waiting = this.pending.get(message.id)
    this.pending.delete(message.id)
    const mine = message.author === this.me
    // The pending row becomes the message: moving or re-creating it would be read out again.
    let el = waiting ? waiting.el : renderRow(message, mine, this.me)
    if (waiting) {
      // Now it has a seq, it can be edited and reacted to.
      el = refillRow(el, message, mine, this.me)
      showArrived(el, message.ts, !waiting.failed)
    }
    const at = this.indexFor(message.seq)
    const row: Row = { message, el, divider: null }
    const anchor = this.anchorFor(message.seq)
    if (el.nextSibling !== anchor || !el.isConnected) this.log.insertBefore(el, anchor)
    this.rows.splice(at, 0, row)
    this.syncDivider(at)
    this.syncDivider(at + 1)
  }

  /**
   * What a row at `seq` goes in front of: the next message (its day heading or "New
   * messages" first) or the next notice, whichever comes first; else the waiting rows.
   */
  private anchorFor(seq: number): HTMLElement | null {
    const next = this.rows[this.indexFor(seq)]
    const notice = this.notices.find((n) => n.seq > seq)
    if (notice && (!next || notice.seq < next.message.seq)) return notice.el
    return next ? this.topOf(next) : (this.pending.values().next().value?.el ?? null)
  }

  /** The first node that belongs to a row: its day heading, "New messages", or itself. */
  private topOf(row: Row): HTMLElement {
    return row.divider ?? this.belowHeading(row)
  }

  private belowHeading(row: Row): HTMLElement {
    return this.newMark?.row === row ? this.newMark.el : row.el
  }

  /** First index whose seq is greater: binary search, since history can be long. */
  private indexFor(seq: number): number {
    let lo = 0
    let hi = this.rows.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.rows[mid]!.message.seq <= seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private syncDivider(index: number): void {
    const row = this.rows[index]
    if (!row) return
    const prev = this.rows[index - 1]
    syncEncryptionNotice(row.el, startsEncryption(prev?.message, row.message))
    const needed = !prev || dayKey(prev.message.ts) !== dayKey(row.message.ts)
    if (needed && !row.divider) {
      row.divider = renderDayDivider(row.message.ts)
      this.log.insertBefore(row.divider, this.belowHeading(row))
    } else if (!needed && row.divider) {
      row.divider.remove()
      row.divider = null
    }
  }
}
