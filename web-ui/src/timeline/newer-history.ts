/**
 * Paging forward, for a room opened around a search result far back in history: the list
 * then ends before the room's newest message, so scrolling down (or "Load newer messages")
 * loads the next page. While newer pages remain, live messages of the room are not appended
 * (they would sit below a hole); they are reached by paging down, and the last page joins the
 * live end again.
 */
import type { Api } from '../app/api.js'
import { HistoryPager } from './history-pager.js'
import type { Timeline } from './timeline.js'

export class NewerHistory extends HistoryPager {
  constructor(api: Api, timeline: Timeline, button: HTMLButtonElement, say: (text: string) => void, room: () => string) {
    super('newer', api, timeline, button, say, room)
  }
}
