/**
 * The nodes of the message list: a message, a day heading, "New messages". Text goes in
 * with textContent and text nodes only, links with a checked http(s) href; a message is
 * never markup. Its formatting (bold, code, quotes, links…) is made node by node by format/.
 */
import type { Message } from '../../../shared/index.js'
import { dayLabel, fullTimeLabel, hueSlot, initial, isoTime, isValidTime, timeLabel } from '../app/format-model.js'
import { mentionsMe, textParts } from './message-text-model.js'
import { renderMessageText } from '../format/index.js'
import { filesKey, renderFiles } from '../files/message-files.js'
import { chipLabel, emojiName, reactedBy, whoReacted } from './reactions-model.js'
import { ENCRYPTION_STARTS, unreadableText } from './sealed-model.js'
import { syncReplyParts, type ReplyTool } from './reply-parts.js'

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

export const DELETED_TEXT = 'This message was deleted.'
export const EDITED_TEXT = '(edited)'

/** What the tools of a row do; read by message-actions.ts's one click listener. */
export type Tool = 'react' | 'add-reaction' | 'edit' | 'delete' | 'open-picture' | 'download' | 'copy-code' | ReplyTool

export function renderMessage(m: Message, mine: boolean, me: string | null = null): HTMLElement {
  const item = el('article', 'msg')
  item.dataset.id = m.id
  const avatar = el('span', `avatar hue-${hueSlot(m.author)}`, initial(m.author))
  avatar.setAttribute('aria-hidden', 'true')
  avatar.dataset.user = m.author // profile-pictures.ts puts their picture over the initial
  const head = el('div', 'msg-head')
  const time = el('time', 'msg-time', timeLabel(m.ts))
  time.dateTime = isoTime(m.ts)
  time.title = fullTimeLabel(m.ts)
  const author = el('span', 'msg-author', m.author)
  author.dataset.user = m.author // app/profiles.ts shows their display name beside it
  head.append(author, time)
  const body = el('div', 'msg-body')
  body.append(head)
  item.append(avatar, body)
  fillMessage(item, m, mine, me)
  return item
}

export const UNSHOWABLE_TEXT = 'This message could not be shown.'

/**
 * A message, or in its place a row that says it could not be shown: one malformed message
 * (a modified daemon's, a bug's) must not take the rest of the room's history down with it.
 */
export function renderRow(m: Message, mine: boolean, me: string | null = null): HTMLElement {
  // The labels would cope ("Unknown time"), but a message with no time is not one to trust.
  if (!isValidTime(m.ts)) return renderUnshowable(m, new RangeError(`its timestamp ${m.ts} is no time a Date can hold`))
  try {
    return renderMessage(m, mine, me)
  } catch (err) {
    return renderUnshowable(m, err)
  }
}

/**
 * Same for an edit, a reaction or the arrival of a row already shown: if the message cannot
 * be shown any more, a row saying so takes its place. Returns the row now in the list.
 */
export function refillRow(item: HTMLElement, m: Message, mine: boolean, me: string | null): HTMLElement {
  try {
    fillMessage(item, m, mine, me)
    return item
  } catch (err) {
    const instead = renderUnshowable(m, err)
    item.replaceWith(instead)
    return instead
  }
}

function renderUnshowable(m: Message, err: unknown): HTMLElement {
  console.error(`message ${String(m.id).slice(0, 64)} (seq ${m.seq}) could not be shown`, err, m)
  const item = el('article', 'msg msg-unshowable')
  item.dataset.id = m.id
  item.append(el('p', 'msg-text', UNSHOWABLE_TEXT))
  return item
}

/**
 * Puts what can change (text, "(edited)", deleted, reactions, tools) into a row, in place:
 * an edit or a reaction updates the row the reader is on rather than adding another.
 */
export function fillMessage(item: HTMLElement, m: Message, mine: boolean, me: string | null, tools = m.seq > 0): void {
  // Highlighted by the daemon's rule on the text as typed: the rule that notified the reader.
  const parts = m.deleted ? [] : textParts(m.text, me)
  const focused = focusedTool(item)
  item.classList.toggle('mine', mine)
  item.classList.toggle('mentions-me', !mine && mentionsMe(parts))
  item.classList.toggle('deleted', m.deleted === true)
  for (const n of item.querySelectorAll(':scope .msg-text, :scope .msg-edited, :scope .reactions, :scope > .msg-tools')) n.remove()
  const head = item.querySelector('.msg-head')!
  // A div: formatted text holds paragraphs, lists and quotes.
  const text = el('div', m.deleted ? 'msg-text deleted-note' : 'msg-text')
  if (m.deleted) text.textContent = DELETED_TEXT
  else if (m.unreadable) {
    const why = unreadableText(m.unreadable)
    text.className = 'msg-text deleted-note'
    text.textContent = why.text
    text.title = why.title
  } else text.append(renderMessageText(m.text, me))
  if (m.edited && !m.deleted) head.querySelector('.msg-time')!.after(editedLabel(m.edited))
  head.after(text)
  const files = syncFiles(item, m)
  if (!m.deleted && m.reactions?.length) (files ?? text).after(renderReactions(m, me))
  if (tools && !m.deleted) item.append(renderTools(mine))
  syncReplyParts(item, m, tools)
  if (focused) {
    for (const b of item.querySelectorAll<HTMLElement>('[data-tool]')) b.tabIndex = 0
    ;(item.querySelector<HTMLElement>(focused) ?? item.querySelector<HTMLElement>('[data-tool]'))?.focus()
  }
}

/** "Encrypted from now on", at the top of the row where a room began encrypting (or not). */
export function syncEncryptionNotice(item: HTMLElement, starts: boolean): void {
  const notice = item.querySelector('.e2e-notice')
  if (starts && !notice) {
    const note = el('p', 'e2e-notice', `🔒 ${ENCRYPTION_STARTS}`)
    note.setAttribute('role', 'note')
    // Above the author and time, in the body column (a row is avatar | body).
    ;(item.querySelector(':scope > .msg-body') ?? item).prepend(note)
  } else if (!starts) notice?.remove()
}

/** The files below the text: kept as they are when unchanged, so no picture loads twice. */
function syncFiles(item: HTMLElement, m: Message): HTMLElement | null {
  const old = item.querySelector<HTMLElement>(':scope .msg-files')
  const key = filesKey(m)
  const files = old && old.dataset.key === key ? old : renderFiles(m)
  if (old && old !== files) old.remove()
  if (files) item.querySelector('.msg-text')!.after(files)
  return files
}

/** The row's button that has focus, as a selector for its replacement: a redraw must not drop focus. */
function focusedTool(item: HTMLElement): string | null {
  const active = document.activeElement
  if (!(active instanceof HTMLElement) || !item.contains(active) || !active.dataset.tool) return null
  const emoji = active.dataset.emoji
  return emoji ? `[data-tool="react"][data-emoji="${CSS.escape(emoji)}"]` : `[data-tool="${active.dataset.tool}"]`
}

function editedLabel(ts: number): HTMLElement {
  const label = el('span', 'msg-edited', EDITED_TEXT)
  label.title = `Edited ${fullTimeLabel(ts)}`
  return label
}

function toolButton(label: string, tool: Tool, symbol: string): HTMLButtonElement {
  const b = el('button', 'tool')
  b.type = 'button'
  b.dataset.tool = tool
  // Reached by Tab from its row (row-keys.ts), not on the way through the list.
  b.tabIndex = -1
  b.setAttribute('aria-label', label)
  b.title = label
  b.textContent = symbol
  return b
}

/** Shown on hover and on focus (style.css), always at phone width; in the Tab order either way. */
function renderTools(mine: boolean): HTMLElement {
  const tools = el('div', 'msg-tools')
  tools.setAttribute('role', 'group')
  tools.setAttribute('aria-label', 'Message actions')
  tools.append(toolButton('Add reaction', 'add-reaction', '☺+'))
  if (mine) tools.append(toolButton('Edit message', 'edit', '✎'), toolButton('Delete message', 'delete', '🗑'))
  return tools
}

function renderReactions(m: Message, me: string | null): HTMLElement {
  const bar = el('div', 'reactions')
  bar.setAttribute('role', 'group')
  bar.setAttribute('aria-label', 'Reactions')
  for (const r of m.reactions ?? []) {
    const chip = el('button', 'reaction')
    chip.type = 'button'
    chip.dataset.tool = 'react'
    chip.tabIndex = -1
    chip.dataset.emoji = r.emoji
    chip.setAttribute('aria-pressed', String(reactedBy(r, me)))
    chip.setAttribute('aria-label', chipLabel(r, me))
    chip.title = `${whoReacted(r.users, me)} reacted with ${emojiName(r.emoji)}`
    chip.append(el('span', 'reaction-emoji', r.emoji), el('span', 'reaction-count', String(r.users.length)))
    bar.append(chip)
  }
  return bar
}
