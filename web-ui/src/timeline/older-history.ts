/**
 * Paging back through history: by itself when the person scrolls up to the top (the "Load
 * older messages" button stays for keyboards and screen readers), and after a long absence
 * going back by itself until the first unread message is loaded (bounded by CATCH_UP_MAX),
 * so "New messages" can show where the person stopped reading.
 */
import type { MessagesResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { messagesPath } from '../composer/sender.js'
import type { Timeline } from './timeline.js'
import { needsOlder, olderPageLimit } from './unread-model.js'

export class OlderHistory {
  private olderExist = false
  private loading: Promise<boolean> | null = null

  constructor(
    private readonly api: Api,
    private readonly timeline: Timeline,
    private readonly button: HTMLButtonElement,
    private readonly say: (text: string) => void,
    private readonly room: () => string,
  ) {}

  /** Whether messages older than the oldest shown exist, as far as the last page told. */
  get mayHaveOlder(): boolean {
    return this.olderExist
  }

  /** A page of `limit` that came back full may have more behind it. */
  set mayHaveOlder(value: boolean) {
    this.olderExist = value
    this.button.hidden = !value
  }

  /**
   * Loads the next page whenever the top of the list (the button) scrolls into view, a
   * screen's height early so that scrolling up does not stop at the edge.
   */
  loadOnScroll(scroller: HTMLElement, limit: number, loaded: () => void): void {
    const io = new IntersectionObserver(
      (seen) => {
        if (!seen.some((e) => e.isIntersecting) || !this.olderExist || this.loading) return
        void this.load(limit).then((ok) => {
          if (ok) loaded()
        })
      },
      { root: scroller, rootMargin: '100% 0px 0px 0px' },
    )
    io.observe(this.button)
  }

  /** One page of older history above what is shown; false if it could not be loaded. */
  load(limit: number): Promise<boolean> {
    this.loading ??= this.fetchPage(limit).finally(() => {
      this.loading = null
    })
    return this.loading
  }

  private async fetchPage(limit: number): Promise<boolean> {
    const before = this.timeline.oldestSeq()
    if (before === null) return false
    const room = this.room()
    try {
      const res = await this.api.get<MessagesResponse>(`${messagesPath(room)}?limit=${limit}&before=${before}`)
      // Switched rooms while it loaded: this page belongs to the other one.
      if (room !== this.room()) return false
      this.timeline.add(res.messages, 'keep')
      this.timeline.addNotices(res.notices ?? [], 'keep')
      this.mayHaveOlder = res.messages.length >= limit
      return true
    } catch (err) {
      this.say(`Could not load older messages: ${err instanceof Error ? err.message : String(err)}`)
      return false
    }
  }

  /** Pages back until the first message after `readSeq` is loaded, or CATCH_UP_MAX are. */
  async reach(readSeq: number | null, stillWanted: () => boolean): Promise<void> {
    let loaded = this.timeline.messages().length
    while (needsOlder(this.timeline.oldestSeq(), readSeq, this.olderExist, loaded)) {
      if (!(await this.load(olderPageLimit(loaded))) || !stillWanted()) return
      loaded = this.timeline.messages().length
    }
  }
}
