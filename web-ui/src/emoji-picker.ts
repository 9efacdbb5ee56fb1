/**
 * The emoji button and its small grid. One emoji button is in the Tab order at a time and the
 * arrow keys move between them (a roving tabindex), so keyboard users don't tab through 60
 * buttons. Escape or a click elsewhere closes it and gives focus back where it belongs.
 */
import { EMOJI } from './emoji.js'

export class EmojiPicker {
  private readonly buttons: HTMLButtonElement[] = []
  private current = 0

  constructor(
    private readonly toggle: HTMLButtonElement,
    private readonly panel: HTMLElement,
    private readonly onPick: (char: string) => void,
  ) {
    this.render()
    toggle.setAttribute('aria-expanded', 'false')
    toggle.addEventListener('click', () => (this.isOpen ? this.close(true) : this.open()))
    panel.addEventListener('keydown', (ev) => this.onKeyDown(ev))
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
    this.focusButton(this.current)
  }

  close(returnFocus: boolean): void {
    this.panel.hidden = true
    this.toggle.setAttribute('aria-expanded', 'false')
    if (returnFocus) this.toggle.focus()
  }

  private render(): void {
    const grid = document.createElement('div')
    grid.className = 'emoji-grid'
    EMOJI.forEach((emoji, i) => {
      const b = document.createElement('button')
      b.type = 'button'
      b.className = 'emoji'
      b.textContent = emoji.char
      b.setAttribute('aria-label', emoji.name)
      b.title = emoji.name
      b.tabIndex = i === 0 ? 0 : -1
      b.addEventListener('click', () => this.pick(i))
      this.buttons.push(b)
      grid.append(b)
    })
    this.panel.append(grid)
  }

  private pick(index: number): void {
    this.current = index
    this.close(false)
    this.onPick(EMOJI[index]!.char)
  }

  private onKeyDown(ev: KeyboardEvent): void {
    if (ev.key === 'Escape') {
      ev.preventDefault()
      this.close(true)
      return
    }
    const next = this.moveFor(ev.key)
    if (next === null) return
    ev.preventDefault()
    this.focusButton(Math.max(0, Math.min(this.buttons.length - 1, next)))
  }

  private moveFor(key: string): number | null {
    const cols = this.columns()
    switch (key) {
      case 'ArrowRight': return this.current + 1
      case 'ArrowLeft': return this.current - 1
      case 'ArrowDown': return this.current + cols
      case 'ArrowUp': return this.current - cols
      case 'Home': return 0
      case 'End': return this.buttons.length - 1
      default: return null
    }
  }

  /** Read from the layout, since CSS decides how many fit on a row. */
  private columns(): number {
    const top = this.buttons[0]?.offsetTop
    const cols = this.buttons.findIndex((b) => b.offsetTop !== top)
    return cols > 0 ? cols : this.buttons.length
  }

  private focusButton(index: number): void {
    this.buttons[this.current]!.tabIndex = -1
    this.current = index
    const b = this.buttons[index]!
    b.tabIndex = 0
    b.focus()
  }
}
