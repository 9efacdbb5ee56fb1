/**
 * The emoji grid both pickers show (the composer's and "Add reaction"): a search field, a
 * skin-tone choice, "Recently used", then every group with a heading, or the search's
 * matches best first. The data is fetched on first open (emoji-data.ts); until then, or when
 * that fails, a status line says so and the rest of the page works as before.
 *
 * One emoji button is in the Tab order at a time and the arrow keys move between them (a
 * roving tabindex), so keyboard users don't tab through 1,900 buttons. Down from the search
 * field enters the grid, Up from its first row goes back; Enter in the field takes the first.
 */
import { el } from '../app/dom.js'
import { loadEmoji } from './emoji-data.js'
import { moveInGrid } from './emoji-grid-keys.js'
import { SKIN_TONES, toned, type Emoji, type EmojiSet, type SkinTone } from './emoji-model.js'
import { noteEmojiUse, recentEmoji, setSkinTone, skinTone } from './emoji-prefs.js'
import { searchEmoji } from './emoji-search-model.js'

export interface EmojiPanelOptions {
  /** What a button says before the emoji's name ("React with "), for a screen reader. */
  labelPrefix?: string
  allow?: (emoji: Emoji) => boolean
  onPick: (char: string) => void
  onEscape: () => void
}

const TONE_SAMPLES = ['✋', '✋🏻', '✋🏼', '✋🏽', '✋🏾', '✋🏿']
const MAX_RESULTS = 120

export class EmojiPanel {
  readonly element = el('div', 'emoji-panel-body')
  readonly search = el('input', 'emoji-search')
  private readonly tone = el('select', 'emoji-tone')
  private readonly status = el('p', 'emoji-status')
  private readonly retry = el('button', 'emoji-retry', 'Try again')
  private readonly nav = el('div', 'emoji-groups')
  private readonly scroller = el('div', 'emoji-scroll')
  private readonly recentGrid = el('div', 'emoji-grid')
  private readonly recentSection = el('section', 'emoji-section')
  private readonly results = el('div', 'emoji-grid emoji-results')
  private set: EmojiSet | null = null
  private browse: HTMLButtonElement[] = []
  private buttons: HTMLButtonElement[] = []
  private current = 0
  /** Enter pressed in the search before the data came: take the first match once it is here. */
  private enterWhenReady = false
  private readonly indexOf = new Map<Emoji, number>()
  /** Ids of headings, unique per panel (the page has two). */
  private readonly idPrefix: string

  constructor(private readonly options: EmojiPanelOptions) {
    this.idPrefix = options.labelPrefix ? 'emoji-r' : 'emoji-c'
    this.search.type = 'search'
    this.search.placeholder = 'Search emoji'
    this.search.setAttribute('aria-label', options.labelPrefix ? 'Search emoji to react with' : 'Search emoji')
    this.search.addEventListener('input', () => this.show())
    this.tone.setAttribute('aria-label', 'Skin tone')
    this.tone.append(...SKIN_TONES.map((t, i) => new Option(`${TONE_SAMPLES[i]} ${t}`, String(i))))
    this.tone.addEventListener('change', () => this.changeTone())
    this.status.setAttribute('role', 'status')
    this.retry.type = 'button'
    this.retry.hidden = true
    this.retry.addEventListener('click', () => void this.prepare())
    this.nav.setAttribute('role', 'group')
    this.nav.setAttribute('aria-label', 'Emoji groups')
    this.scroller.addEventListener('click', (ev) => this.onClick(ev))
    this.element.addEventListener('keydown', (ev) => this.onKeyDown(ev))
    const tools = el('div', 'emoji-tools')
    tools.append(this.search, this.tone)
    this.element.append(tools, this.status, this.retry, this.nav, this.scroller)
  }

  /** Resets the search and loads the data if needed; `focus`: the caret goes in the search field. */
  async open(focus = true): Promise<void> {
    this.search.value = ''
    this.enterWhenReady = false
    this.tone.value = String(skinTone())
    if (focus) this.search.focus()
    await this.prepare()
  }

  private async prepare(): Promise<void> {
    if (!this.set) {
      // Try again is about to be hidden: the search field takes the focus it had.
      if (document.activeElement === this.retry) this.search.focus()
      this.status.textContent = 'Loading emoji…'
      this.retry.hidden = true
      try {
        this.build(await loadEmoji())
      } catch (err) {
        this.status.textContent = err instanceof Error ? err.message : String(err)
        this.retry.hidden = false
        this.enterWhenReady = false
        return
      }
    }
    this.fillRecent()
    this.show()
    if (this.enterWhenReady) this.buttons[0]?.click()
    this.enterWhenReady = false
  }

  private build(set: EmojiSet): void {
    this.set = set
    set.emoji.forEach((e, i) => {
      this.indexOf.set(e, i)
    })
    this.status.textContent = ''
    this.recentSection.append(this.heading('Recently used', `${this.idPrefix}-recent`), this.recentGrid)
    this.recentGrid.setAttribute('role', 'group')
    this.recentGrid.setAttribute('aria-labelledby', `${this.idPrefix}-recent`)
    const sections = set.groups.map((name, g) => {
      const grid = el('div', 'emoji-grid')
      const id = `${this.idPrefix}-group-${g}`
      grid.setAttribute('role', 'group')
      grid.setAttribute('aria-labelledby', id)
      const section = el('section', 'emoji-section')
      section.append(this.heading(name, id), grid)
      return { section, grid }
    })
    for (const emoji of set.emoji) {
      if (this.options.allow && !this.options.allow(emoji)) continue
      const b = this.button(emoji)
      sections[emoji.group]!.grid.append(b)
      this.browse.push(b)
    }
    this.nav.append(...sections.map(({ section, grid }, g) => this.groupButton(set.groups[g]!, section, grid)))
    ;(this.nav.firstElementChild as HTMLButtonElement | null)?.setAttribute('tabindex', '0')
    this.results.setAttribute('role', 'group')
    this.results.setAttribute('aria-label', 'Matching emoji')
    this.scroller.append(this.recentSection, ...sections.map((s) => s.section), this.results)
  }

  private heading(text: string, id: string): HTMLElement {
    const h = el('h3', 'emoji-heading', text)
    h.id = id
    return h
  }

  private groupButton(name: string, section: HTMLElement, grid: HTMLElement): HTMLButtonElement {
    const first = grid.querySelector<HTMLButtonElement>('button')
    const b = el('button', 'emoji-group', first?.textContent ?? '?')
    b.type = 'button'
    b.tabIndex = -1
    b.setAttribute('aria-label', name)
    b.title = name
    b.addEventListener('click', () => {
      section.scrollIntoView({ block: 'start' })
      if (first) this.focusButton(this.buttons.indexOf(first))
    })
    return b
  }

  private button(emoji: Emoji): HTMLButtonElement {
    const b = el('button', 'emoji', toned(emoji, skinTone()))
    b.type = 'button'
    b.tabIndex = -1
    b.dataset.index = String(this.indexOf.get(emoji))
    b.setAttribute('aria-label', `${this.options.labelPrefix ?? ''}${emoji.name}`)
    b.title = emoji.name
    return b
  }

  private emojiOf(b: HTMLElement): Emoji | undefined {
    return this.set?.emoji[Number(b.dataset.index)]
  }

  private fillRecent(): void {
    const set = this.set!
    const recent = recentEmoji()
      .map((c) => set.byChar.get(c))
      .filter((e): e is Emoji => e !== undefined && (!this.options.allow || this.options.allow(e)))
    this.recentGrid.replaceChildren(...recent.map((e) => this.button(e)))
    this.recentSection.hidden = recent.length === 0
  }

  /** The whole set by group, or the search's matches; the first shown is the one Tab reaches. */
  private show(): void {
    const set = this.set
    if (!set) return
    const q = this.search.value.trim()
    const browsing = q === ''
    const recents = [...this.recentGrid.querySelectorAll<HTMLButtonElement>('button')]
    for (const s of this.scroller.querySelectorAll<HTMLElement>('.emoji-section'))
      s.hidden = !browsing || (s === this.recentSection && recents.length === 0)
    this.nav.hidden = !browsing
    this.results.hidden = browsing
    if (browsing) {
      this.buttons = [...recents, ...this.browse]
      this.status.textContent = ''
    } else {
      const found = searchEmoji(set, q, { recent: recentEmoji(), allow: this.options.allow, limit: MAX_RESULTS })
      this.buttons = found.map((e) => this.button(e))
      this.results.replaceChildren(...this.buttons)
      this.status.textContent = found.length === 0 ? `No emoji match “${q.slice(0, 40)}”.` : ''
    }
    for (const b of this.buttons) b.tabIndex = -1
    this.current = 0
    if (this.buttons[0]) this.buttons[0].tabIndex = 0
    this.scroller.scrollTop = 0
  }

  private changeTone(): void {
    const tone = Number(this.tone.value) as SkinTone
    setSkinTone(tone)
    for (const b of this.scroller.querySelectorAll<HTMLButtonElement>('button.emoji')) {
      const emoji = this.emojiOf(b)
      if (emoji?.skins) b.textContent = toned(emoji, tone)
    }
  }

  private onClick(ev: MouseEvent): void {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.emoji')
    const emoji = b && this.emojiOf(b)
    if (!emoji) return
    noteEmojiUse(emoji.char)
    this.options.onPick(toned(emoji, Number(this.tone.value) as SkinTone))
  }

  private onKeyDown(ev: KeyboardEvent): void {
    if (ev.key === 'Escape') {
      ev.preventDefault()
      ev.stopPropagation()
      return this.options.onEscape()
    }
    if (ev.target === this.search) return this.onSearchKey(ev)
    if (this.nav.contains(ev.target as Node)) return this.onGroupKey(ev)
    const inGrid = this.buttons.indexOf(ev.target as HTMLButtonElement)
    if (inGrid < 0) return
    const next = moveInGrid(this.buttons, inGrid, ev.key)
    if (next === null) return
    ev.preventDefault()
    if (next < 0) this.search.focus()
    else this.focusButton(next)
  }

  private onSearchKey(ev: KeyboardEvent): void {
    if (ev.key === 'Enter' && !this.set) {
      ev.preventDefault()
      this.enterWhenReady = true
    } else if (ev.key === 'Enter' && this.buttons[0]) {
      ev.preventDefault()
      this.buttons[0].click()
    } else if (ev.key === 'ArrowDown' && this.buttons[0]) {
      ev.preventDefault()
      this.focusButton(0)
    }
  }

  /** The group buttons are one Tab stop too: Left and Right move along them. */
  private onGroupKey(ev: KeyboardEvent): void {
    const groups = [...this.nav.querySelectorAll<HTMLButtonElement>('button')]
    const at = groups.indexOf(ev.target as HTMLButtonElement)
    const next = moveInGrid(groups, at, ev.key === 'ArrowUp' || ev.key === 'ArrowDown' ? '' : ev.key)
    if (next === null || next < 0) return
    ev.preventDefault()
    for (const b of groups) b.tabIndex = b === groups[next] ? 0 : -1
    groups[next]!.focus()
  }

  private focusButton(index: number): void {
    if (this.buttons[this.current]) this.buttons[this.current]!.tabIndex = -1
    this.current = index
    const b = this.buttons[index]!
    b.tabIndex = 0
    b.focus()
  }
}
