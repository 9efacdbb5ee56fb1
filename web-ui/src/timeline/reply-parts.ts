/**
 * What replies, threads and pins add to a message's row: a quote of the message it answers
 * (author and first line as plain text; "Original message deleted" / "Original message
 * unavailable"), "3 replies, last by bob" under a thread's root, a pin mark, and the tools
 * Reply, Reply in thread and Pin. Text goes in with textContent only. Every control is a
 * `[data-tool]` button, so row-keys.ts puts it in the Tab order of its row and
 * message-actions.ts's one click listener serves it.
 */
import type { Message, ReplyQuote, ThreadSummary } from '../../../shared/index.js'

export type ReplyTool = 'reply' | 'thread' | 'pin' | 'jump-quote' | 'open-thread'
export const REPLY_TOOLS: readonly string[] = ['reply', 'thread', 'pin', 'jump-quote', 'open-thread'] satisfies ReplyTool[]

export const QUOTE_DELETED = 'Original message deleted'
export const QUOTE_UNAVAILABLE = 'Original message unavailable'

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function button(className: string, tool: ReplyTool, label: string): HTMLButtonElement {
  const b = el('button', className)
  b.type = 'button'
  b.dataset.tool = tool
  b.tabIndex = -1
  b.setAttribute('aria-label', label)
  return b
}

/** "3 replies, last by bob" (one reply: "1 reply, by bob"). */
export function threadSummaryText(s: ThreadSummary): string {
  return s.count === 1 ? `1 reply, by ${s.last}` : `${s.count} replies, last by ${s.last}`
}

/** The words a quote shows, and what it is read out as. */
export function quoteText(q: ReplyQuote): { author: string; text: string; label: string } {
  if (q.state === 'deleted') return { author: '', text: QUOTE_DELETED, label: `Replying to a deleted message` }
  if (q.state === 'unavailable' || q.author === undefined)
    return { author: '', text: QUOTE_UNAVAILABLE, label: 'Replying to a message you cannot see' }
  const text = q.text ?? ''
  return { author: q.author, text, label: `Replying to ${q.author}: ${text}. Go to the original message` }
}

function renderQuote(q: ReplyQuote): HTMLElement {
  const words = quoteText(q)
  // Only a message that is there can be jumped to.
  const node = q.state === 'shown' ? button('reply-quote', 'jump-quote', words.label) : el('p', 'reply-quote reply-quote-gone')
  node.dataset.target = q.id
  if (words.author) node.append(el('span', 'reply-quote-author', words.author), ' ')
  node.append(el('span', 'reply-quote-text', words.text))
  if (q.state !== 'shown') node.setAttribute('aria-label', words.label)
  return node
}

/** Puts the quote, the thread summary, the pin mark and the reply tools into a filled row. */
export function syncReplyParts(item: HTMLElement, m: Message, tools: boolean): void {
  for (const n of item.querySelectorAll(':scope .reply-quote, :scope .thread-summary, :scope .pin-mark')) n.remove()
  const body = item.querySelector<HTMLElement>(':scope > .msg-body')
  if (!body) return
  const quote = m.quote ?? (m.replyTo ? { id: m.replyTo, state: 'unavailable' as const } : undefined)
  if (quote && !m.deleted) item.querySelector('.msg-head')?.after(renderQuote(quote))
  if (m.pinned && !m.deleted) {
    const mark = el('span', 'pin-mark', '📌 Pinned')
    mark.title = `Pinned by ${m.pinned.by}`
    item.querySelector('.msg-time')?.after(mark)
  }
  if (m.replies && m.replies.count > 0 && !m.thread) {
    const s = button('thread-summary link-button', 'open-thread', `${threadSummaryText(m.replies)}. Open the thread`)
    s.textContent = threadSummaryText(m.replies)
    body.append(s)
  } else if (m.thread && m.alsoInRoom) {
    const s = button('thread-summary link-button', 'open-thread', 'Replied in a thread. Open the thread')
    s.textContent = 'Replied in a thread'
    body.append(s)
  }
  const bar = item.querySelector(':scope > .msg-tools')
  if (!tools || m.deleted || !bar) return
  const reply = button('tool', 'reply', 'Reply')
  reply.textContent = '↩'
  reply.title = 'Reply'
  const thread = button('tool', 'thread', 'Reply in thread')
  thread.textContent = '💬'
  thread.title = 'Reply in thread'
  const pin = button('tool', 'pin', m.pinned ? 'Unpin message' : 'Pin message')
  pin.textContent = '📌'
  pin.title = m.pinned ? 'Unpin' : 'Pin'
  pin.setAttribute('aria-pressed', String(Boolean(m.pinned)))
  bar.prepend(reply, thread)
  bar.append(pin)
}
