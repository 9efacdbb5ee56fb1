/**
 * A catch-up with the catching-up daemon under `--cpu-prof` (issue 18: where the time goes).
 * `npx tsx bench/catchup-profile.ts MESSAGES DIR`: DIR gets the replica's .cpuprofile; the
 * timings print. Top self time: `npx tsx bench/profile-top.ts DIR/*.cpuprofile`.
 */
import { bearer } from '../test/multihost/lan-helpers.js'
import { accountEverywhere, settled, sleep } from './lan.js'
import * as harness from '../test/multihost/harness.js'

const messages = Number(process.argv[2] ?? 5000)
const dir = process.argv[3] ?? '/tmp/catchup-prof'

const lan = await harness.Lan.create()
try {
  const h1 = await lan.addHost({})
  const h2 = await lan.addHost({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  await Promise.all([h1.start(), h2.start()])
  await settled(lan)
  const tokens = await accountEverywhere(lan.hosts)
  await h2.stop()
  let next = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < messages) {
        const i = next++
        const res = await h1.api('POST', '/api/v1/rooms/general/messages', { text: `catch-up ${i}` }, bearer(tokens.get(h1)!))
        if (res.status !== 201) throw new Error(`post ${i} answered ${res.status}`)
      }
    }),
  )
  const target = (await h1.status()).head
  const start = performance.now()
  await h2.start()
  const started = performance.now() - start
  for (;;) {
    const head = (await h2.status().catch(() => ({ head: -1 }))).head
    if (head >= target) break
    await sleep(20)
  }
  const ms = performance.now() - start
  console.log(
    `start() ${Math.round(started)} ms; caught up ${target} in ${Math.round(ms)} ms: ${Math.round(messages / (ms / 1000))} entries/s`,
  )
  await h2.stop()
} finally {
  await lan.destroy()
}
