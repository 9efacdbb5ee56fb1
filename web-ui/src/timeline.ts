/**
 * The message list. Messages arrive from three places (history, the live feed, the answer to
 * our own send) in any order and more than once, so the list is kept sorted by the relay's
 * sequence number and deduplicated by message id. Nodes are inserted, never re-rendered:
 * the list is an aria-live log, and rebuilding it would make screen readers re-read it all.
 * Text goes in with textContent only; a message is never markup.
 */
import type { Message } from '../../shared/index.js'
import { dayKey, dayLabel, fullTimeLabel, hueSlot, initial, timeLabel } from './format.js'

/** A message this page sent that waits in this machine's outbox: it has no seq yet. */
export type PendingMessage = Omit<Message, 'seq'>

interface Row {
  message: Message
  el: HTMLElement
  /** The day heading shown above this row when it starts a new day. */
  divider: HTMLElement | null
}

/** How close to the bottom still counts as "reading the newest", in pixels. */
const STICKY_BOTTOM_PX = 64

export class Timeline {
  private rows: Row[] = []
  private readonly ids = new Set<string>()
  /** Outbox messages, shown after everything ordered until the relay gives them a seq. */
  private readonly pending = new Map<string, HTMLElement>()
  private me: string | null = null

  constructor(private readonly log: HTMLElement, private readonly scroller: HTMLElement) {}

  setMe(username: string | null): void {
    this.me = username
  }

  clear(): void {
    this.rows = []
    this.ids.clear()
    this.pending.clear()
    this.log.replaceChildren()
  }

  get size(): number {
    return this.rows.length + this.pending.size
  }

  oldestSeq(): number | null {
    return this.rows[0]?.message.seq ?? null
  }

  /**
   * Adds the messages not seen yet and returns them. `scroll` says what the view does:
   * follow the newest (if the reader was already there, or always), or keep its place
   * when older history is put above.
   */
  add(messages: readonly Message[], scroll: 'follow' | 'force' | 'keep' = 'follow'): Message[] {
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
    else if (scroll === 'force' || atBottom) this.scrollToNewest()
    return fresh
  }

  /** Shows a sent-but-not-yet-ordered message at the bottom, marked as waiting. */
  addPending(message: PendingMessage): void {
    if (this.ids.has(message.id) || this.pending.has(message.id)) return
    const el = renderMessage({ ...message, seq: 0 }, true)
    el.classList.add('pending')
    const note = document.createElement('span')
    note.className = 'msg-state'
    note.textContent = 'waiting for the relay…'
    el.querySelector('.msg-head')?.append(note)
    this.pending.set(message.id, el)
    this.log.append(el)
    this.scrollToNewest()
  }

  scrollToNewest(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight
  }

  private isAtBottom(): boolean {
    const s = this.scroller
    return s.scrollHeight - s.scrollTop - s.clientHeight < STICKY_BOTTOM_PX
  }

  private insert(message: Message): void {
    this.ids.add(message.id)
    this.pending.get(message.id)?.remove()
    this.pending.delete(message.id)
    const at = this.indexFor(message.seq)
    const row: Row = { message, el: renderMessage(message, message.author === this.me), divider: null }
    const next = this.rows[at]
    const firstPending = this.pending.values().next().value ?? null
    this.log.insertBefore(row.el, next ? (next.divider ?? next.el) : firstPending)
    this.rows.splice(at, 0, row)
    this.syncDivider(at)
    this.syncDivider(at + 1)
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
    const needed = !prev || dayKey(prev.message.ts) !== dayKey(row.message.ts)
    if (needed && !row.divider) {
      row.divider = renderDayDivider(row.message.ts)
      this.log.insertBefore(row.divider, row.el)
    } else if (!needed && row.divider) {
      row.divider.remove()
      row.divider = null
    }
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function renderDayDivider(ts: number): HTMLElement {
  // A heading, so screen-reader users can jump from day to day.
  return el('h3', 'day-divider', dayLabel(ts, Date.now()))
}

export function renderMessage(m: Message, mine: boolean): HTMLElement {
  const item = el('article', mine ? 'msg mine' : 'msg')
  item.dataset.id = m.id
  const avatar = el('span', `avatar hue-${hueSlot(m.author)}`, initial(m.author))
  avatar.setAttribute('aria-hidden', 'true')
  const head = el('div', 'msg-head')
  const time = el('time', 'msg-time', timeLabel(m.ts))
  time.dateTime = new Date(m.ts).toISOString()
  time.title = fullTimeLabel(m.ts)
  head.append(el('span', 'msg-author', m.author), time)
  const body = el('div', 'msg-body')
  body.append(head, el('p', 'msg-text', m.text))
  item.append(avatar, body)
  return item
}
