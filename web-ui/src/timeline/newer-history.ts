/**
 * Paging forward, for a room opened around a search result far back in history: the list
 * then ends before the room's newest message, so scrolling down (or "Load newer messages",
 * for keyboards and screen readers) loads the next page with `after=<newest seq shown>`.
 * While newer pages remain, live messages of the room are not appended (they would sit below
 * a hole); they are reached by paging down, and the last page joins the live end again.
 */
import type { MessagesResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { errorText } from '../app/dom.js'
import { messagesPath } from '../composer/sender.js'
import type { Timeline } from './timeline.js'

export class NewerHistory {
  private newerExist = false
  private loading: Promise<boolean> | null = null

  constructor(
    private readonly api: Api,
    private readonly timeline: Timeline,
    private readonly button: HTMLButtonElement,
    private readonly say: (text: string) => void,
    private readonly room: () => string,
  ) {}

  /** Whether messages newer than the newest shown exist (the list is not at the live end). */
  get mayHaveNewer(): boolean {
    return this.newerExist
  }

  set mayHaveNewer(value: boolean) {
    this.newerExist = value
    this.button.hidden = !value
  }

  /** Loads the next page when the bottom of the list (the button) comes near the view. */
  loadOnScroll(scroller: HTMLElement, limit: number, loaded: () => void): void {
    const io = new IntersectionObserver(
      (seen) => {
        if (!seen.some((e) => e.isIntersecting) || !this.newerExist || this.loading) return
        void this.load(limit).then((ok) => {
          if (ok) loaded()
        })
      },
      { root: scroller, rootMargin: '0px 0px 100% 0px' },
    )
    io.observe(this.button)
  }

  load(limit: number): Promise<boolean> {
    this.loading ??= this.fetchPage(limit).finally(() => {
      this.loading = null
    })
    return this.loading
  }

  private async fetchPage(limit: number): Promise<boolean> {
    const after = this.timeline.newestSeq()
    if (after === null) return false
    const room = this.room()
    try {
      const res = await this.api.get<MessagesResponse>(`${messagesPath(room)}?limit=${limit}&after=${after}`)
      if (room !== this.room()) return false
      // Below what is shown, the view stays where it is: the reader scrolls on into it.
      this.timeline.add(res.messages, 'stay')
      this.timeline.addNotices(res.notices ?? [], 'stay')
      this.mayHaveNewer = res.hasNewer === true
      return true
    } catch (err) {
      this.say(`Could not load newer messages: ${errorText(err)}`)
      return false
    }
  }
}
