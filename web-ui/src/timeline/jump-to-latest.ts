/**
 * The "Jump to latest" button at the bottom of the message list (issue 17), with the count of
 * messages that arrived while the reader was scrolled up (jump-model.ts decides when it shows
 * and what it says). It sits in the list's scroll area (sticky at its bottom), so by keyboard
 * it is the next Tab stop after the messages; activating it goes to the newest message and
 * puts focus in the composer, as the button itself goes away.
 */
import { jumpLabel, jumpShown } from './jump-model.js'
import type { Timeline } from './timeline.js'

export interface JumpHost {
  /** The room was opened far back (search result): the newest page must be loaded first. */
  farBack: () => boolean
  /** Loads the newest page of the room on screen (from far back). */
  loadLatest: () => Promise<void>
  /** Where focus goes once at the newest message. */
  focusAfter: () => void
}

export class JumpToLatest {
  private count = 0

  constructor(
    private readonly button: HTMLButtonElement,
    private readonly scroller: HTMLElement,
    private readonly timeline: Timeline,
    private readonly host: JumpHost,
  ) {
    scroller.addEventListener('scroll', () => this.sync(), { passive: true })
    button.addEventListener('click', () => void this.jump())
  }

  /** `n` messages were added to the list; counted if the view stayed where it was. */
  arrived(n: number): void {
    if (n > 0 && !this.timeline.atNewest()) this.count += n
    this.sync()
  }

  /** Another room, log-out, or the list started over. */
  reset(): void {
    this.count = 0
    this.sync()
  }

  /** Shows or hides the button for where the view is now. */
  sync(): void {
    const farBack = this.host.farBack()
    if (!farBack && this.timeline.atNewest()) this.count = 0
    const s = this.scroller
    const shown = jumpShown({
      distance: s.scrollHeight - s.scrollTop - s.clientHeight,
      viewport: s.clientHeight,
      count: this.count,
      farBack,
    })
    const label = jumpLabel(this.count)
    if (this.button.textContent !== label) this.button.textContent = label
    this.button.hidden = !shown
  }

  private async jump(): Promise<void> {
    if (this.host.farBack()) await this.host.loadLatest()
    this.timeline.scrollToNewest()
    this.count = 0
    this.sync()
    this.host.focusAfter()
  }
}
