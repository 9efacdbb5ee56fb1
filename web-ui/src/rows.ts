/**
 * The nodes of the message list: a message, a day heading, "New messages". Text goes in
 * with textContent and text nodes only, links with a checked http(s) href; a message is
 * never markup.
 */
import type { Message } from '../../shared/index.js'
import { dayLabel, fullTimeLabel, hueSlot, initial, timeLabel } from './format.js'
import { mentionsMe, textParts, type TextPart } from './message-text.js'

export const NEW_MESSAGES = 'New messages'

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** A separator, not a row or a heading: the log does not read it as a message, and its name says it. */
export function renderNewDivider(): HTMLElement {
  const mark = el('div', 'new-divider')
  mark.setAttribute('role', 'separator')
  mark.setAttribute('aria-label', NEW_MESSAGES)
  mark.append(el('span', 'new-divider-label', NEW_MESSAGES))
  return mark
}

export function renderDayDivider(ts: number): HTMLElement {
  // A heading, so screen-reader users can jump from day to day.
  return el('h3', 'day-divider', dayLabel(ts, Date.now()))
}

/** Links open in a new tab without telling the site where they came from. */
function renderPart(part: TextPart): Node {
  if (part.kind === 'text') return document.createTextNode(part.text)
  if (part.kind === 'mention') return el('span', part.me ? 'mention mention-me' : 'mention', part.text)
  const a = el('a', 'msg-link', part.text)
  a.href = part.href
  a.target = '_blank'
  a.rel = 'noopener noreferrer nofollow'
  return a
}

export function renderMessage(m: Message, mine: boolean, me: string | null = null): HTMLElement {
  const parts = textParts(m.text, me)
  const item = el('article', mine ? 'msg mine' : mentionsMe(parts) ? 'msg mentions-me' : 'msg')
  item.dataset.id = m.id
  const avatar = el('span', `avatar hue-${hueSlot(m.author)}`, initial(m.author))
  avatar.setAttribute('aria-hidden', 'true')
  const head = el('div', 'msg-head')
  const time = el('time', 'msg-time', timeLabel(m.ts))
  time.dateTime = new Date(m.ts).toISOString()
  time.title = fullTimeLabel(m.ts)
  head.append(el('span', 'msg-author', m.author), time)
  const body = el('div', 'msg-body')
  const text = el('p', 'msg-text')
  text.append(...parts.map(renderPart))
  body.append(head, text)
  item.append(avatar, body)
  return item
}
