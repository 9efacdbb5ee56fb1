/**
 * A person's page read in the history scenario (history.ts): GET the newest 50 messages of
 * #general, the answer parsed and checked (the 50 newest, in order, with the texts that were
 * stored), timed from the request to the checked answer. The same code reads from the bench's
 * process and from a reader process of its own (history-reader.ts).
 */
import type { MessagesResponse } from '../shared/index.js'

/** What the bench sends the reader process (history-reader.ts), and what it answers. */
export interface ReaderCmd {
  ui: string
  token: string
  last: number
  requests: number
}
export type ReaderReport = { times: number[] } | { error: string }

/** Pages the reader process reads untimed before the timed ones. */
export const READER_WARM_UP = 20

/** The text of message `seq` in the scenario's store. */
export const text = (seq: number) => `history message ${seq} ${'x'.repeat(160)}`

/** Milliseconds of one page read; throws when the page is not the 50 newest messages (no figure is reported then). */
export async function readNewestPage(ui: string, headers: Record<string, string>, last: number): Promise<number> {
  const s = performance.now()
  const res = await fetch(`${ui}/api/v1/rooms/general/messages?limit=50`, { headers })
  const body = (await res.json()) as MessagesResponse
  const ms = performance.now() - s
  const m = body.messages
  const ok = res.status === 200 && m.length === 50 && m.every((x, i) => x.seq === last - 49 + i && x.text === text(x.seq))
  if (!ok)
    throw new Error(`history: a page was not the 50 newest messages (status ${res.status}, ${m?.length} messages) — no figure is reported`)
  return ms
}

/** `requests` page reads one after another, their times in order. */
export async function readNewestPages(ui: string, headers: Record<string, string>, last: number, requests: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < requests; i++) times.push(await readNewestPage(ui, headers, last))
  return times
}
