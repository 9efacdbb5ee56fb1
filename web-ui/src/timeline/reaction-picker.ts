/**
 * "Add reaction": a small popover with the quick set (👍 ❤️ 😂 🎉 😮 👀) and a search over
 * the picker's emoji list. One popover for the whole page, moved next to the message whose
 * button opened it. Escape, a click elsewhere or a pick closes it; focus goes back to the
 * button that opened it (or stays on the message after a pick).
 */
import { emojiMatchesSearch } from '../composer/completion-model.js'
import { el } from '../app/dom.js'
import { EMOJI } from '../composer/emoji-model.js'
import { emojiName, QUICK_REACTIONS } from './reactions-model.js'

/** Enough matches to find one; the full list is the composer's picker. */
const MAX_RESULTS = 16

export class ReactionPicker {
  private readonly panel = el('div', 'reaction-panel')
  private readonly search = el('input', 'emoji-search')
  private readonly results = el('div', 'reaction-results')
  private opener: HTMLButtonElement | null = null
  private onPick: ((emoji: string) => void) | null = null

  constructor() {
    this.panel.setAttribute('role', 'dialog')
    this.panel.setAttribute('aria-label', 'Add reaction')
    this.panel.hidden = true
    const quick = el('div', 'reaction-quick')
    quick.append(...QUICK_REACTIONS.map((e) => this.emojiButton(e)))
    this.search.type = 'search'
    this.search.placeholder = 'Search emoji'
    this.search.setAttribute('aria-label', 'Search emoji to react with')
    this.search.addEventListener('input', () => this.filter())
    this.panel.append(quick, this.search, this.results)
    this.panel.addEventListener('keydown', (ev) => this.onKeyDown(ev))
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
    this.search.value = ''
    this.filter()
    this.panel.hidden = false
    this.panel.querySelector<HTMLButtonElement>('button')?.focus()
  }

  close(returnFocus: boolean): void {
    if (this.panel.hidden) return
    this.panel.hidden = true
    this.opener?.setAttribute('aria-expanded', 'false')
    if (returnFocus) this.opener?.focus()
  }

  private emojiButton(char: string): HTMLButtonElement {
    const b = el('button', 'emoji', char)
    b.type = 'button'
    b.setAttribute('aria-label', `React with ${emojiName(char)}`)
    b.title = emojiName(char)
    b.addEventListener('click', () => {
      const pick = this.onPick
      this.close(true)
      pick?.(char)
    })
    return b
  }

  private filter(): void {
    const q = this.search.value.trim()
    const found = q ? EMOJI.filter((e) => emojiMatchesSearch(e, q)).slice(0, MAX_RESULTS) : []
    this.results.replaceChildren(...found.map((e) => this.emojiButton(e.char)))
    this.results.hidden = found.length === 0
  }

  private onKeyDown(ev: KeyboardEvent): void {
    if (ev.key === 'Escape') {
      ev.preventDefault()
      ev.stopPropagation()
      this.close(true)
    } else if (ev.key === 'Enter' && ev.target === this.search) {
      ev.preventDefault()
      this.results.querySelector<HTMLButtonElement>('button')?.click()
    }
  }
}
