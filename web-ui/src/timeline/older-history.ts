/**
 * Paging back through history: by itself when the person scrolls up to the top (the "Load
 * older messages" button stays for keyboards and screen readers), and after a long absence
 * going back by itself until the first unread message is loaded (bounded by CATCH_UP_MAX),
 * so "New messages" can show where the person stopped reading.
 */
import type { Api } from '../app/api.js'
import { HistoryPager } from './history-pager.js'
import type { Timeline } from './timeline.js'
import { needsOlder, olderPageLimit } from './unread-model.js'

export class OlderHistory extends HistoryPager {
  constructor(api: Api, timeline: Timeline, button: HTMLButtonElement, say: (text: string) => void, room: () => string) {
    super('older', api, timeline, button, say, room)
  }

  /** Pages back until the first message after `readSeq` is loaded, or CATCH_UP_MAX are. */
  async reach(readSeq: number | null, stillWanted: () => boolean): Promise<void> {
    let loaded = this.timeline.messages().length
    while (needsOlder(this.timeline.oldestSeq(), readSeq, this.mayHaveMore, loaded)) {
      if (!(await this.load(olderPageLimit(loaded))) || !stillWanted()) return
      loaded = this.timeline.messages().length
    }
  }
}
