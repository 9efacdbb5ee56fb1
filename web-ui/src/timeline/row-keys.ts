/**
 * The message list by keyboard, as in Slack: Tab stops once on the list, the arrow keys (and
 * Home/End) go from message to message, and Tab from a message reaches that message's
 * reactions and tools. Every row's buttons in the Tab order would put hundreds of stops
 * between the sidebar and the composer.
 */

const ROW = 'article.msg'
const TOOLS = '[data-tool]'

export function watchRowKeys(log: HTMLElement): void {
  // The list itself is the one stop; it has the room's name (aria-labelledby) to announce.
  log.tabIndex = 0
  log.addEventListener('keydown', (ev) => onKeyDown(log, ev))
  log.addEventListener('focusin', (ev) => {
    const row = (ev.target as Element).closest<HTMLElement>(ROW)
    if (row) setToolsTabbable(row, true)
  })
  log.addEventListener('focusout', (ev) => {
    const row = (ev.target as Element).closest<HTMLElement>(ROW)
    const next = ev.relatedTarget as Node | null
    if (row && !(next && row.contains(next))) setToolsTabbable(row, false)
  })
}

function setToolsTabbable(row: HTMLElement, on: boolean): void {
  for (const b of row.querySelectorAll<HTMLElement>(TOOLS)) b.tabIndex = on ? 0 : -1
}

function onKeyDown(log: HTMLElement, ev: KeyboardEvent): void {
  if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return
  const target = ev.target as HTMLElement
  // Keys typed in a field (the reaction search) or a popover are theirs.
  if (target !== log && !target.matches(ROW)) return
  const rows = [...log.querySelectorAll<HTMLElement>(ROW)]
  if (rows.length === 0) return
  const at = rows.indexOf(target)
  const next = keyTarget(ev.key, at, rows.length)
  if (next === null) return
  ev.preventDefault()
  const row = rows[next]!
  row.tabIndex = -1
  row.focus()
  row.scrollIntoView({ block: 'nearest' })
}

/** Where a key moves from row `at` (-1: the list itself, which starts from the newest). */
export function keyTarget(key: string, at: number, count: number): number | null {
  switch (key) {
    case 'ArrowUp':
      return at < 0 ? count - 1 : Math.max(0, at - 1)
    case 'ArrowDown':
      return at < 0 ? count - 1 : Math.min(count - 1, at + 1)
    case 'Home':
      return 0
    case 'End':
      return count - 1
    default:
      return null
  }
}
