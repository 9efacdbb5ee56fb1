/**
 * The nodes of the message list: a message, a day heading, "New messages". Text goes in
 * with textContent only; a message is never markup.
 */
import type { Message } from '../../shared/index.js'
import { dayLabel, fullTimeLabel, hueSlot, initial, timeLabel } from './format.js'

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
