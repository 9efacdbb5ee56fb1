/**
 * "bob is typing…": who is typing in the room, shown under the messages, and this page's own
 * typing, sent at most every few seconds while the box has text. A start lapses by itself
 * after TYPING_TTL_MS, so a closed tab or a lost frame never leaves someone "typing" forever.
 * People can turn sending off; the choice is kept in this browser.
 */
import type { UiEvent } from '../../../shared/index.js'

export const TYPING_TTL_MS = 6000
export const TYPING_REPEAT_MS = 3000
const PREFERENCE_KEY = 'sochat.shareTyping'

/** The sentence for who is typing, or '' for nobody. */
export function typingLine(names: string[]): string {
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`
}

export interface TypingParts {
  textarea: HTMLTextAreaElement
  /** Where the sentence goes (a polite live region). */
  line: HTMLElement
  /** "Let others see when I'm typing". */
  share: HTMLInputElement
}

export class Typing {
  private readonly until = new Map<string, number>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private sentAt = 0

  constructor(
    private readonly parts: TypingParts,
    private readonly send: (on: boolean) => void,
    private readonly me: () => string | null,
  ) {
    parts.share.checked = localStorage.getItem(PREFERENCE_KEY) !== 'off'
    parts.share.addEventListener('change', () => {
      localStorage.setItem(PREFERENCE_KEY, parts.share.checked ? 'on' : 'off')
      if (!parts.share.checked) this.stopped()
    })
    // Only what the person types: a draft put back on a room switch is not typing.
    parts.textarea.addEventListener('input', (ev) => {
      if (ev.isTrusted || parts.textarea.value.trim() === '') this.onInput()
    })
  }

  onEvent(ev: Extract<UiEvent, { type: 'typing' }>): void {
    if (ev.username === this.me()) return
    if (ev.on) this.until.set(ev.username, Date.now() + TYPING_TTL_MS)
    else this.until.delete(ev.username)
    this.render()
  }

  /** Their message arrived: they are done typing it. */
  messageFrom(author: string): void {
    if (this.until.delete(author)) this.render()
  }

  /** This page sent its message, or the box was emptied. */
  stopped(): void {
    if (this.sentAt === 0) return
    this.sentAt = 0
    this.send(false)
  }

  clear(): void {
    this.until.clear()
    this.sentAt = 0
    this.render()
  }

  private onInput(): void {
    if (this.parts.textarea.value.trim() === '') return this.stopped()
    if (!this.parts.share.checked || Date.now() - this.sentAt < TYPING_REPEAT_MS) return
    this.sentAt = Date.now()
    this.send(true)
  }

  private render(): void {
    const now = Date.now()
    for (const [name, until] of this.until) if (until <= now) this.until.delete(name)
    const text = typingLine([...this.until.keys()].sort())
    if (this.parts.line.textContent !== text) this.parts.line.textContent = text
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const next = Math.min(...this.until.values())
    if (Number.isFinite(next)) this.timer = setTimeout(() => this.render(), next - now + 50)
  }
}
