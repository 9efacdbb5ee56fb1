/**
 * "Add reaction": a popover with the quick set (👍 ❤️ 😂 🎉 😮 👀) and, below it, the same
 * emoji panel as the composer's (search, skin tone, recently used, every emoji). One popover
 * for the whole page, moved next to the message whose button opened it. Escape, a click
 * elsewhere or a pick closes it; focus goes back to the button that opened it.
 */
import { el } from '../app/dom.js'
import type { Emoji } from '../composer/emoji-model.js'
import { EmojiPanel } from '../composer/emoji-panel.js'
import { noteEmojiUse } from '../composer/emoji-prefs.js'
import { emojiName, QUICK_REACTIONS } from './reactions-model.js'

/**
 * Whether the daemon takes this emoji as a reaction (shared/entries.ts `Reaction`: a picture
 * or a flag). Keycaps (#️⃣ 1️⃣) are digits and signs, which it refuses, so they are not offered.
 */
export function canReact(emoji: Pick<Emoji, 'char'>): boolean {
  return !emoji.char.includes('\u20e3')
}

export class ReactionPicker {
  private readonly panel = el('div', 'reaction-panel')
  private readonly body = new EmojiPanel({
    labelPrefix: 'React with ',
    allow: canReact,
    onPick: (char) => this.pick(char),
    onEscape: () => this.close(true),
  })
  private opener: HTMLButtonElement | null = null
  private onPick: ((emoji: string) => void) | null = null

  constructor() {
    this.panel.setAttribute('role', 'dialog')
    this.panel.setAttribute('aria-label', 'Add reaction')
    this.panel.hidden = true
    const quick = el('div', 'reaction-quick')
    quick.append(...QUICK_REACTIONS.map((e) => this.quickButton(e)))
    quick.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') return
      ev.preventDefault()
      ev.stopPropagation()
      this.close(true)
    })
    this.panel.append(quick, this.body.element)
    document.addEventListener('pointerdown', (ev) => {
      const target = ev.target as Node
      if (!this.panel.hidden && !this.panel.contains(target) && !this.opener?.contains(target)) this.close(false)
    })
  }

  get isOpen(): boolean {
    return !this.panel.hidden
  }

  /** Opens next to `opener` (inside its row's tools), focused on the first quick emoji. */
  open(opener: HTMLButtonElement, onPick: (emoji: string) => void): void {
    if (this.opener === opener && this.isOpen) return this.close(true)
    this.opener?.setAttribute('aria-expanded', 'false')
    this.opener = opener
    this.onPick = onPick
    opener.setAttribute('aria-expanded', 'true')
    opener.parentElement!.append(this.panel)
    this.panel.hidden = false
    this.panel.querySelector<HTMLButtonElement>('button')?.focus()
    // Under the last messages it would open below the fold: the list scrolls to show it whole.
    void this.body.open(false).then(() => this.panel.scrollIntoView({ block: 'nearest' }))
  }

  close(returnFocus: boolean): void {
    if (this.panel.hidden) return
    this.panel.hidden = true
    this.opener?.setAttribute('aria-expanded', 'false')
    if (returnFocus) this.opener?.focus()
  }

  private quickButton(char: string): HTMLButtonElement {
    const b = el('button', 'emoji', char)
    b.type = 'button'
    b.setAttribute('aria-label', `React with ${emojiName(char)}`)
    b.title = emojiName(char)
    b.addEventListener('click', () => {
      noteEmojiUse(char)
      this.pick(char)
    })
    return b
  }

  private pick(char: string): void {
    const pick = this.onPick
    this.close(true)
    pick?.(char)
  }
}
