/**
 * Arrow keys over emoji buttons laid out by CSS in wrapping rows, in several sections (recent,
 * then each group): Down goes to the nearest button in the next row, whichever section it is
 * in, so positions are read from the layout rather than counted.
 */

/** The index to move to for `key` from `current`, or null when the key is not a move. */
export function moveInGrid(buttons: readonly HTMLElement[], current: number, key: string): number | null {
  switch (key) {
    case 'ArrowRight':
      return Math.min(current + 1, buttons.length - 1)
    case 'ArrowLeft':
      return Math.max(current - 1, 0)
    case 'Home':
      return 0
    case 'End':
      return buttons.length - 1
    case 'ArrowDown':
      return nextRow(buttons, current, 1)
    case 'ArrowUp':
      return nextRow(buttons, current, -1)
    default:
      return null
  }
}

/**
 * The button in the row after (step 1) or before (-1) the current one nearest to it
 * horizontally; -1 going up from the first row (the caller goes back to the search field);
 * the current one going down from the last row.
 */
function nextRow(buttons: readonly HTMLElement[], current: number, step: 1 | -1): number {
  const here = buttons[current]!.getBoundingClientRect()
  let row: number | null = null
  let best = step === 1 ? current : -1
  let bestDistance = Number.POSITIVE_INFINITY
  for (let i = current + step; i >= 0 && i < buttons.length; i += step) {
    const r = buttons[i]!.getBoundingClientRect()
    if (r.top === here.top) continue
    row ??= r.top
    if (r.top !== row) break
    const distance = Math.abs(r.left - here.left)
    if (distance < bestDistance) {
      best = i
      bestDistance = distance
    }
  }
  return best
}
