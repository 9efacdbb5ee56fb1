/**
 * One page of history at a time beyond one edge of what the list shows: the older edge (the
 * top, `before=<oldest seq shown>`) or the newer edge (the bottom, `after=<newest seq shown>`,
 * for a room opened around a search result far back). Each edge has its button ("Load older
 * messages", "Load newer messages") for keyboards and screen readers, and loads by itself
 * when that button comes within a screen's height of the view. One load at a time; a page
 * that arrives after the person switched rooms is dropped.
 */
import type { MessagesResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { errorText } from '../app/dom.js'
import { messagesPath } from '../composer/sender.js'
import type { Timeline } from './timeline.js'

export type Edge = 'older' | 'newer'

export class HistoryPager {
  private more = false
  private loading: Promise<boolean> | null = null

  constructor(
    private readonly edge: Edge,
    private readonly api: Api,
    protected readonly timeline: Timeline,
    private readonly button: HTMLButtonElement,
    private readonly say: (text: string) => void,
    private readonly room: () => string,
  ) {}

  /** Whether messages exist beyond this edge, as far as the last page told. */
  get mayHaveMore(): boolean {
    return this.more
  }

  set mayHaveMore(value: boolean) {
    this.more = value
    this.button.hidden = !value
  }

  /** Loads the next page when this edge's button comes within a screen's height of the view. */
  loadOnScroll(scroller: HTMLElement, limit: number, loaded: () => void): void {
    const io = new IntersectionObserver(
      (seen) => {
        if (!seen.some((e) => e.isIntersecting) || !this.more || this.loading) return
        void this.load(limit).then((ok) => {
          if (ok) loaded()
        })
      },
      { root: scroller, rootMargin: this.edge === 'older' ? '100% 0px 0px 0px' : '0px 0px 100% 0px' },
    )
    io.observe(this.button)
  }

  /** One page beyond this edge; false if it could not be loaded (the person is told why). */
  load(limit: number): Promise<boolean> {
    this.loading ??= this.fetchPage(limit).finally(() => {
      this.loading = null
    })
    return this.loading
  }

  private async fetchPage(limit: number): Promise<boolean> {
    const older = this.edge === 'older'
    const from = older ? this.timeline.oldestSeq() : this.timeline.newestSeq()
    if (from === null) return false
    const room = this.room()
    try {
      const res = await this.api.get<MessagesResponse>(`${messagesPath(room)}?limit=${limit}&${older ? 'before' : 'after'}=${from}`)
      if (room !== this.room()) return false
      // Above what is shown the view keeps its place; below it stays put while the reader scrolls on.
      const anchor = older ? 'keep' : 'stay'
      this.timeline.add(res.messages, anchor)
      this.timeline.addNotices(res.notices ?? [], anchor)
      this.mayHaveMore = older ? res.messages.length >= limit : res.hasNewer === true
      return true
    } catch (err) {
      this.say(`Could not load ${this.edge} messages: ${errorText(err)}`)
      return false
    }
  }
}
