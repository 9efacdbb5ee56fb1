/**
 * Catch-up: one replica is stopped while N messages are posted on another host; then it is
 * started again. Figures: entries per second from its start to an equal log head, and the
 * rate the messages were posted at (through the REST API, acknowledged by the relay).
 */
import { bearer } from '../test/multihost/lan-helpers.js'
import { audit, history, type Audit } from './audit.js'
import type { Build } from './build.js'
import { accountEverywhere, settled, sleep, withLan } from './lan.js'

export interface CatchupResult {
  entries: number
  postRatePerS: number
  catchupMs: number
  entriesPerS: number
  audit: Audit
}

export async function catchup(opts: { messages: number; concurrency: number; build: Build }): Promise<CatchupResult> {
  return withLan(
    2,
    async (lan) => {
      const [h1, h2] = lan.hosts as [(typeof lan.hosts)[0], (typeof lan.hosts)[0]]
      await Promise.all([h1.start(), h2.start()])
      await settled(lan)
      const tokens = await accountEverywhere(lan.hosts)
      await h2.stop()
      const acked: string[] = []
      let next = 0
      const postStart = performance.now()
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < opts.messages) {
            const i = next++
            const res = await h1.api<{ message: { id: string } }>(
              'POST',
              '/api/v1/rooms/general/messages',
              { text: `catch-up ${i}` },
              bearer(tokens.get(h1)!),
            )
            if (res.status !== 201) throw new Error(`post ${i} answered ${res.status}`)
            acked.push(res.body.message.id)
          }
        }),
      )
      const postMs = performance.now() - postStart
      const target = (await h1.status()).head
      const start = performance.now()
      await h2.start()
      for (;;) {
        const head = (await h2.status().catch(() => ({ head: -1 }))).head
        if (head >= target) break
        if (performance.now() - start > 300_000) throw new Error(`h2 still at ${head} of ${target} after 5 minutes`)
        await sleep(20)
      }
      const catchupMs = Math.round(performance.now() - start)
      const result = audit(acked, await history(h2, tokens.get(h2)!))
      return {
        entries: opts.messages,
        postRatePerS: Math.round(opts.messages / (postMs / 1000)),
        catchupMs,
        entriesPerS: Math.round(opts.messages / (catchupMs / 1000)),
        audit: result,
      }
    },
    opts,
  )
}
