/**
 * The results list: a listbox of options in groups (by room or by day), each with the room,
 * the author, the time and the text with the matched words in <mark>. Every piece of text goes
 * in as a text node: a message is never markup, so `<b>x</b>` in a message shows literally.
 * Focus stays in the search box; the active option is `aria-activedescendant` on it (the
 * combobox pattern), so typing and arrowing never fight over focus.
 */
import { dayLabel, fullTimeLabel, isoTime, timeLabel } from '../app/format-model.js'
import { el } from '../app/dom.js'
import { groupResults, highlightParts, type SearchGrouping, type SearchResult } from './search-model.js'

export interface ResultsView {
  list: HTMLElement
  input: HTMLInputElement
}

export class SearchResults {
  private options: { el: HTMLElement; result: SearchResult }[] = []
  private active = -1

  constructor(
    private readonly view: ResultsView,
    private readonly roomName: (id: string) => string,
    private readonly chosen: (result: SearchResult) => void,
  ) {
    // mousedown, not click: the box keeps focus (a click would blur it first).
    view.list.addEventListener('mousedown', (ev) => ev.preventDefault())
    view.list.addEventListener('click', (ev) => {
      const option = (ev.target as Element).closest<HTMLElement>('[role="option"]')
      const at = option ? this.options.findIndex((o) => o.el === option) : -1
      if (at >= 0) this.chosen(this.options[at]!.result)
    })
  }

  get count(): number {
    return this.options.length
  }

  get activeIndex(): number {
    return this.active
  }

  clear(): void {
    this.options = []
    this.setActive(-1)
    this.view.list.replaceChildren()
  }

  show(results: readonly SearchResult[], by: SearchGrouping): void {
    this.clear()
    const now = Date.now()
    for (const [g, group] of groupResults(results, by).entries()) {
      const box = el('div', 'search-group')
      box.setAttribute('role', 'group')
      const heading = el('p', 'search-group-head', by === 'room' ? this.roomName(group.room) : dayLabel(group.ts, now))
      heading.id = `search-group-${g}`
      box.setAttribute('aria-labelledby', heading.id)
      box.append(heading)
      for (const r of group.results) box.append(this.option(r, by, now))
      this.view.list.append(box)
    }
  }

  /** The option the arrows moved to (-1: none), scrolled into view and named on the box. */
  setActive(at: number): void {
    this.options[this.active]?.el.setAttribute('aria-selected', 'false')
    this.active = at
    const option = this.options[at]
    if (!option) {
      this.view.input.removeAttribute('aria-activedescendant')
      return
    }
    option.el.setAttribute('aria-selected', 'true')
    this.view.input.setAttribute('aria-activedescendant', option.el.id)
    option.el.scrollIntoView({ block: 'nearest' })
  }

  /** The active result, or the first when none is (Enter right after typing opens the top one). */
  current(): SearchResult | null {
    return (this.options[this.active] ?? this.options[0])?.result ?? null
  }

  private option(r: SearchResult, by: SearchGrouping, now: number): HTMLElement {
    const m = r.message
    const option = el('div', 'search-result')
    option.id = `search-result-${this.options.length}`
    option.setAttribute('role', 'option')
    option.setAttribute('aria-selected', 'false')
    const meta = el('p', 'search-meta')
    const where = by === 'room' ? dayLabel(m.ts, now) : this.roomName(m.room)
    const time = el('time', 'search-time', `${where}, ${timeLabel(m.ts)}`)
    time.dateTime = isoTime(m.ts)
    time.title = fullTimeLabel(m.ts)
    meta.append(el('strong', 'search-author', m.author), ' · ', time)
    const text = el('p', 'search-text')
    if (m.deleted) text.textContent = 'This message was deleted.'
    else {
      for (const part of highlightParts(m.text, r.highlights)) {
        text.append(part.marked ? el('mark', '', part.text) : document.createTextNode(part.text))
      }
    }
    option.append(meta, text)
    this.options.push({ el: option, result: r })
    return option
  }
}
