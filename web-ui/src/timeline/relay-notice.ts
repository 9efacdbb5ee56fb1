/**
 * "The relay moved to h3" on the page: the line that says what relay-watch-model.ts found
 * worth saying, then fades.
 */

/** How long a notice stays before it fades: long enough to read twice. */
export const NOTICE_MS = 10_000
/** Matches the fade in style.css; the text is emptied only once it is invisible. */
const FADE_MS = 600

/** A role="status" line that is always in the page; filling it is what gets announced. */
export class RelayNotice {
  private hideTimer: ReturnType<typeof setTimeout> | null = null
  private clearTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly el: HTMLElement) {}

  show(text: string): void {
    this.stopTimers()
    this.el.textContent = text
    this.el.classList.add('visible')
    this.hideTimer = setTimeout(() => {
      this.el.classList.remove('visible')
      this.clearTimer = setTimeout(() => this.clear(), FADE_MS)
    }, NOTICE_MS)
  }

  clear(): void {
    this.stopTimers()
    this.el.classList.remove('visible')
    this.el.textContent = ''
  }

  private stopTimers(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer)
    if (this.clearTimer) clearTimeout(this.clearTimer)
    this.hideTimer = this.clearTimer = null
  }
}
