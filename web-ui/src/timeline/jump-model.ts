/**
 * "Jump to latest" (issue 17): when the button shows and what it says. The reader scrolled up
 * to read older messages; messages that arrive meanwhile are counted, not scrolled to, and
 * the button takes the reader down to them (or to the live end of a room opened far back).
 */

/** Where the reader is, in the numbers the page can measure. */
export interface JumpView {
  /** Pixels between the bottom of the view and the end of the list. */
  distance: number
  /** The view's height in pixels. */
  viewport: number
  /** Messages that arrived below the view since the reader was last at the end. */
  count: number
  /** The room was opened around an old message and newer pages are not loaded yet. */
  farBack: boolean
}

/**
 * Shown when something is below: new messages, newer pages, or more than half a screen of
 * older ones (a small nudge up is reading, not leaving; the timeline still follows then).
 */
export function jumpShown(view: JumpView): boolean {
  return view.farBack || view.count > 0 || view.distance > view.viewport / 2
}

/** The button's words, which are also its accessible name. */
export function jumpLabel(count: number): string {
  if (count <= 0) return 'Jump to latest'
  const shown = count > 99 ? '99+' : String(count)
  return `Jump to latest: ${shown} new ${count === 1 ? 'message' : 'messages'}`
}
