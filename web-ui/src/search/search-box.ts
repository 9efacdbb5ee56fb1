/**
 * The search box (issue 15): "/" or Ctrl+K focuses it from anywhere, results come as the
 * person types (after a short pause; an answer to an older query is dropped), Up/Down move
 * through them, Enter or a click opens the message in its room, Escape closes. The sort
 * (newest or best match) and the grouping (by room or by day) are toggle buttons. A query the
 * daemon refuses (an unknown filter, a bad date) shows the daemon's own sentence.
 */
import type { Api } from '../app/api.js'
import { byId, errorText } from '../app/dom.js'
import {
  LatestOnly,
  moveActive,
  parseSearchResponse,
  SEARCH_DEBOUNCE_MS,
  searchPath,
  statusLine,
  type SearchGrouping,
  type SearchResult,
  type SearchSort,
} from './search-model.js'
import { SearchResults } from './search-results.js'

export interface SearchView {
  box: HTMLElement
  input: HTMLInputElement
  panel: HTMLElement
  list: HTMLElement
  status: HTMLElement
  alert: HTMLElement
  sort: HTMLButtonElement
  group: HTMLButtonElement
  more: HTMLButtonElement
}

export interface SearchHost {
  roomName(id: string): string
  /** Opens the message in its room, around it. */
  open(result: SearchResult): void
}

export class SearchBox {
  private readonly latest = new LatestOnly()
  private readonly results: SearchResults
  private timer: ReturnType<typeof setTimeout> | null = null
  private sort: SearchSort = 'newest'
  private grouping: SearchGrouping = 'room'
  private shown: SearchResult[] = []
  private next: string | null = null
  private asked = ''

  constructor(
    private readonly api: Api,
    private readonly view: SearchView,
    private readonly host: SearchHost,
  ) {
    this.results = new SearchResults(
      { list: view.list, input: view.input },
      (id) => host.roomName(id),
      (r) => this.choose(r),
    )
    view.input.addEventListener('input', () => this.typed())
    view.input.addEventListener('keydown', (ev) => this.onKey(ev))
    // Open on focus, even empty: the hint line with the filters is the first thing seen.
    view.input.addEventListener('focus', () => this.setOpen(true))
    view.sort.addEventListener('click', () => this.toggleSort())
    view.group.addEventListener('click', () => this.toggleGrouping())
    view.more.addEventListener('click', () => void this.ask(this.asked, this.next))
    document.addEventListener('keydown', (ev) => this.onGlobalKey(ev))
    document.addEventListener('pointerdown', (ev) => {
      if (!view.box.contains(ev.target as Node)) this.setOpen(false)
    })
  }

  /** The box as index.html has it (the #search-… elements in the top bar). */
  static inPage(api: Api, host: SearchHost): SearchBox {
    return new SearchBox(
      api,
      {
        box: byId('search'),
        input: byId('search-input'),
        panel: byId('search-panel'),
        list: byId('search-results'),
        status: byId('search-status'),
        alert: byId('search-alert'),
        sort: byId('search-sort'),
        group: byId('search-group'),
        more: byId('search-more'),
      },
      host,
    )
  }

  /** The box focused with `words` in it, searched as if typed. */
  searchFor(words: string): void {
    this.view.input.value = words
    this.focus()
    this.typed()
  }

  focus(): void {
    this.view.input.focus()
    this.view.input.select()
  }

  /** Log-out: nothing of what was searched stays on the page. */
  reset(): void {
    this.latest.cancel()
    this.view.input.value = ''
    this.clearResults()
    this.setOpen(false)
  }

  /** "/" (outside a text field) focuses the box; Ctrl+K is the quick switcher's (app/switcher.ts), whose last choice comes here (`searchFor`). */
  private onGlobalKey(ev: KeyboardEvent): void {
    if (this.view.box.closest('[hidden]')) return
    const target = ev.target as HTMLElement
    const typing = target.matches('input, textarea, select, [contenteditable="true"]')
    const slash = ev.key === '/' && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey
    if (!slash) return
    ev.preventDefault()
    this.focus()
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.key === 'Escape') {
      // First Escape closes the list; the second empties the box.
      if (!this.view.panel.hidden) this.setOpen(false)
      else {
        this.view.input.value = ''
        this.typed()
      }
      ev.preventDefault()
      return
    }
    if (ev.key === 'Enter') {
      ev.preventDefault()
      const r = this.results.current()
      if (r) this.choose(r)
      return
    }
    const to = moveActive(ev.key, this.results.activeIndex, this.results.count)
    if (to === null) return
    ev.preventDefault()
    this.setOpen(true)
    this.results.setActive(to)
  }

  private typed(): void {
    if (this.timer) clearTimeout(this.timer)
    const q = this.view.input.value
    if (q.trim() === '') {
      this.latest.cancel()
      this.clearResults()
      return
    }
    this.timer = setTimeout(() => void this.ask(q, null), SEARCH_DEBOUNCE_MS)
  }

  /** Asks for `q` (from `before`, for "More results"); shows the answer only if still the latest. */
  private async ask(q: string, before: string | null): Promise<void> {
    const ticket = this.latest.take()
    this.view.list.setAttribute('aria-busy', 'true')
    try {
      const res = parseSearchResponse(await this.api.get<unknown>(searchPath(q, this.sort, before)))
      if (!this.latest.isLatest(ticket)) return
      if (!res) throw new Error('The daemon answered the search with something this page cannot read; reload it.')
      this.asked = q
      this.shown = before ? [...this.shown, ...res.results] : res.results
      this.next = res.next
      this.view.alert.textContent = ''
      this.draw(res.indexing)
    } catch (err) {
      if (!this.latest.isLatest(ticket)) return
      this.clearResults()
      this.view.status.textContent = ''
      this.view.alert.textContent = errorText(err)
    } finally {
      if (this.latest.isLatest(ticket)) this.view.list.setAttribute('aria-busy', 'false')
    }
    this.setOpen(document.activeElement === this.view.input || this.view.box.contains(document.activeElement))
  }

  private draw(indexing: Parameters<typeof statusLine>[2]): void {
    const active = this.results.activeIndex
    this.results.show(this.shown, this.grouping)
    if (active >= 0 && active < this.results.count) this.results.setActive(active)
    this.view.more.hidden = this.next === null
    this.view.status.textContent = statusLine(this.shown.length, this.next !== null, indexing)
  }

  private clearResults(): void {
    this.shown = []
    this.next = null
    this.asked = ''
    this.results.clear()
    this.view.more.hidden = true
    this.view.alert.textContent = ''
    this.view.status.textContent = ''
  }

  private toggleSort(): void {
    this.sort = this.sort === 'newest' ? 'best' : 'newest'
    this.view.sort.setAttribute('aria-pressed', String(this.sort === 'best'))
    this.view.input.focus()
    if (this.view.input.value.trim() !== '') void this.ask(this.view.input.value, null)
  }

  private toggleGrouping(): void {
    this.grouping = this.grouping === 'room' ? 'day' : 'room'
    this.view.group.setAttribute('aria-pressed', String(this.grouping === 'day'))
    this.view.input.focus()
    this.results.show(this.shown, this.grouping)
  }

  private choose(result: SearchResult): void {
    this.setOpen(false)
    this.host.open(result)
  }

  private setOpen(open: boolean): void {
    this.view.panel.hidden = !open
    this.view.input.setAttribute('aria-expanded', String(!this.view.panel.hidden))
  }
}
