/**
 * The emoji button, a search field and a small grid. Opening it puts the caret in the search
 * field; typing narrows the grid, Enter takes the first match, Down goes into the grid. One
 * emoji button is in the Tab order at a time and the arrow keys move between them (a roving
 * tabindex), so keyboard users don't tab through 60 buttons. Escape or a click elsewhere
 * closes it and gives focus back where it belongs.
 */
import { emojiMatchesSearch } from './completion-model.js'
import { EMOJI } from './emoji-model.js'

export class EmojiPicker {
  private readonly all: HTMLButtonElement[] = []
  private buttons: HTMLButtonElement[] = []
  private current = 0
  private readonly search = document.createElement('input')

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
    this.search.value = ''
    this.filter()
    this.search.focus()
  }

  close(returnFocus: boolean): void {
    this.panel.hidden = true
    this.toggle.setAttribute('aria-expanded', 'false')
    if (returnFocus) this.toggle.focus()
  }

  private render(): void {
    this.search.type = 'search'
    this.search.className = 'emoji-search'
    this.search.placeholder = 'Search emoji'
    this.search.setAttribute('aria-label', 'Search emoji')
    this.search.addEventListener('input', () => this.filter())
    this.search.addEventListener('keydown', (ev) => this.onSearchKey(ev))
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
      b.addEventListener('click', () => this.pick(EMOJI[i]!.char))
      this.all.push(b)
      grid.append(b)
    })
    this.buttons = [...this.all]
    this.panel.append(this.search, grid)
  }

  /** Shows the emoji whose names match the search; the first shown is the one Tab reaches. */
  private filter(): void {
    const search = this.search.value
    this.all.forEach((b, i) => {
      b.hidden = !emojiMatchesSearch(EMOJI[i]!, search)
      b.tabIndex = -1
    })
    this.buttons = this.all.filter((b) => !b.hidden)
    this.current = 0
    if (this.buttons[0]) this.buttons[0].tabIndex = 0
  }

  private onSearchKey(ev: KeyboardEvent): void {
    if (ev.key === 'Enter' && this.buttons[0]) {
      ev.preventDefault()
      this.buttons[0].click()
    } else if (ev.key === 'ArrowDown' && this.buttons[0]) {
      ev.preventDefault()
      this.focusButton(0)
    } else if (ev.key === 'Escape') {
      ev.preventDefault()
      this.close(true)
    }
  }

  private pick(char: string): void {
    this.close(false)
    this.onPick(char)
  }

  private onKeyDown(ev: KeyboardEvent): void {
    if (ev.target === this.search) return
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
      case 'ArrowRight':
        return this.current + 1
      case 'ArrowLeft':
        return this.current - 1
      case 'ArrowDown':
        return this.current + cols
      case 'ArrowUp':
        return this.current - cols
      case 'Home':
        return 0
      case 'End':
        return this.buttons.length - 1
      default:
        return null
    }
  }

  /** Read from the layout, since CSS decides how many fit on a row. */
  private columns(): number {
    const top = this.buttons[0]?.offsetTop
    const cols = this.buttons.findIndex((b) => b.offsetTop !== top)
    return cols > 0 ? cols : this.buttons.length
  }

  private focusButton(index: number): void {
    if (this.buttons[this.current]) this.buttons[this.current]!.tabIndex = -1
    this.current = index
    const b = this.buttons[index]!
    b.tabIndex = 0
    b.focus()
  }
}
