/**
 * The composer's emoji button and its panel (emoji-panel.ts: search, skin tone, recently
 * used, every group). Opening it puts the caret in the search field and fetches the emoji the
 * first time. Escape or a click elsewhere closes it and gives focus back where it belongs.
 */
import { EmojiPanel } from './emoji-panel.js'

export class EmojiPicker {
  private readonly body: EmojiPanel

  constructor(
    private readonly toggle: HTMLButtonElement,
    private readonly panel: HTMLElement,
    private readonly onPick: (char: string) => void,
  ) {
    this.body = new EmojiPanel({ onPick: (char) => this.pick(char), onEscape: () => this.close(true) })
    panel.append(this.body.element)
    toggle.setAttribute('aria-expanded', 'false')
    toggle.addEventListener('click', () => (this.isOpen ? this.close(true) : this.open()))
    // Tabbing out of the grid leaves it: an open panel nobody is in only covers the messages.
    panel.addEventListener('focusout', (ev) => {
      const next = ev.relatedTarget as Node | null
      if (next && !panel.contains(next) && !toggle.contains(next)) this.close(false)
    })
    document.addEventListener('pointerdown', (ev) => {
      const target = ev.target as Node
      if (this.isOpen && !panel.contains(target) && !toggle.contains(target)) this.close(false)
    })
  }

  get isOpen(): boolean {
    return !this.panel.hidden
  }

  open(): void {
    this.panel.hidden = false
    this.toggle.setAttribute('aria-expanded', 'true')
    void this.body.open()
  }

  close(returnFocus: boolean): void {
    this.panel.hidden = true
    this.toggle.setAttribute('aria-expanded', 'false')
    if (returnFocus) this.toggle.focus()
  }

  private pick(char: string): void {
    this.close(false)
    this.onPick(char)
  }
}
