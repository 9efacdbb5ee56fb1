/**
 * A catch-up with the catching-up daemon measured from inside (issue 18: where the time goes):
 * its CPU time (utime + stime of the process, every thread, from /proc) from spawn to an equal
 * log head, which other work on the machine moves far less than the wall time, and optionally
 * a `--cpu-prof` profile of its main thread.
 * `npx tsx bench/catchup-profile.ts MESSAGES [TREE] [PROFILE_DIR]`: TREE is the tree whose
 * dist/ and harness run (default this one; /work/wt-base for the build before); top self
 * time of a profile: `npx tsx bench/profile-top.ts FILE`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bearer } from '../test/multihost/lan-helpers.js'
import { accountEverywhere, settled, sleep } from './lan.js'

const messages = Number(process.argv[2] ?? 5000)
const tree = process.argv[3] ?? join(import.meta.dirname, '..')
const profileDir = process.argv[4]
const harness = (await import(
  pathToFileURL(join(tree, 'test', 'multihost', 'harness.ts')).href
)) as typeof import('../test/multihost/harness.js')

/** utime + stime of a process, all its threads, in ms (proc(5): fields 14 and 15, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const lan = await harness.Lan.create()
try {
  const h1 = await lan.addHost({})
  const h2 = await lan.addHost(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {})
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
  const cpu = cpuMs(h2.pid!)
  console.log(
    `${tree}: status answered ${Math.round(started)} ms after spawn; head ${target} reached in ${Math.round(ms)} ms: ` +
      `${Math.round(messages / (ms / 1000))} entries/s; CPU of the catching-up daemon from spawn ${cpu} ms ` +
      `(${Math.round((cpu / messages) * 1000)} ms per 1,000 entries, its start included)`,
  )
  await h2.stop()
} finally {
  await lan.destroy()
}
