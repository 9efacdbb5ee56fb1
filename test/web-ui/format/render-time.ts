/**
 * Render time of a room's 50 newest messages, measured in the page with performance.now():
 * from the end of the history response (resource timing, same clock) to the 50th row in the
 * list, and to the frame after it. Reported with t.comment, never asserted: a timing depends on
 * the machine and on what else runs on it.
 */
import type { Page } from 'playwright-core'

export interface RenderTime {
  /** History response received → 50 rows in the list (script: parse, build, insert). */
  render: number
  /** Sidebar click → the frame after the 50th row (what a person waits for). */
  total: number
}

/** Opens the room named `name` from the sidebar and times its first page of history (its newest row holds `lastText`). */
export async function timeRoomOpen(page: Page, name: string, roomId: string, lastText: string): Promise<RenderTime> {
  // No named functions inside: tsx would wrap them in a helper (__name) the page lacks.
  return page.evaluate(
    async ({ name, roomId, lastText }) => {
      const log = document.getElementById('timeline')!
      const link = [...document.querySelectorAll<HTMLAnchorElement>('a')].find(
        (a) => a.getAttribute('href') === `#room=${encodeURIComponent(roomId)}`,
      )
      if (!link) throw new Error(`no sidebar link to #${name}`)
      performance.clearResourceTimings()
      const start = performance.now()
      const filled = new Promise<number>((resolve) => {
        const seen = new MutationObserver(() => {
          const rows = log.querySelectorAll('article.msg')
          if (rows.length >= 50 && rows[rows.length - 1]?.textContent?.includes(lastText)) {
            seen.disconnect()
            resolve(performance.now())
          }
        })
        seen.observe(log, { childList: true, subtree: true })
      })
      link.click()
      const done = await filled
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      const painted = performance.now()
      const history = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes(`/rooms/${encodeURIComponent(roomId)}/messages`))
        .map((e) => (e as PerformanceResourceTiming).responseEnd)
      const received = history.length ? Math.min(...history) : start
      return { render: done - received, total: painted - start }
    },
    { name, roomId, lastText },
  )
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
