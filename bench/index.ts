/**
 * `npm run bench [-- --quick]`: runs the scenarios, prints each figure as it comes, and writes
 * bench/RESULTS.md. A scenario whose own audit fails (a message lost or doubled) stops the run
 * with a non-zero exit instead of printing a figure.
 */
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { catchup, type CatchupResult } from './catchup.js'
import { failover, type FailoverResult } from './failover.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } } })
const quick = values.quick === true

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`
}

function check(name: string, a: { lost: number; duplicated: number; acknowledged: number; found: number }): void {
  if (a.lost > 0 || a.duplicated > 0) {
    throw new Error(`${name}: ${a.lost} of ${a.acknowledged} acknowledged messages lost, ${a.duplicated} duplicated — no figure is reported`)
  }
}

async function main(): Promise<void> {
  const started = new Date()
  console.log(`SO-CHAT benchmark (${quick ? 'quick' : 'full'}) on ${machine()}`)
  const f: FailoverResult = await failover({ hosts: 4, kills: quick ? 3 : 7, messagesPerRound: 20 })
  check('failover', f.audit)
  console.log(`failover: median ${f.medianMs} ms, worst ${f.worstMs} ms over ${f.kills} kills (${f.timesMs.join(', ')} ms); ${f.audit.acknowledged} acknowledged, ${f.audit.lost} lost`)
  const c: CatchupResult = await catchup({ messages: quick ? 5_000 : 100_000, concurrency: 32 })
  check('catch-up', c.audit)
  console.log(`catch-up: ${c.entries} entries in ${c.catchupMs} ms = ${c.entriesPerS} entries/s (posted at ${c.postRatePerS} msg/s); ${c.audit.lost} lost`)

  const md = `# SO-CHAT benchmark results

Run ${started.toISOString()} (${quick ? '--quick' : 'full'}) on ${machine()}.
Daemons run in network namespaces on one machine (a private bridge, real mDNS); the load
comes from the benchmark process through each daemon's REST API.

| scenario | figure |
| --- | --- |
| failover (${f.hosts} hosts, ${f.kills} relay SIGKILLs) | median **${f.medianMs} ms**, worst **${f.worstMs} ms** from SIGKILL to every other daemon following the new relay (each: ${f.timesMs.join(', ')} ms) |
| messages lost across those failovers | **${f.audit.lost}** of ${f.audit.acknowledged} acknowledged (duplicated: ${f.audit.duplicated}) |
| catch-up of a replica offline for ${c.entries} messages | **${c.entriesPerS} entries/s** (${c.catchupMs} ms from its start, including start-up and the election window, to an equal log head); lost: ${c.audit.lost} |
| posting through the REST API to a local relay, ${32} concurrent clients | ${c.postRatePerS} messages/s acknowledged |
`
  writeFileSync(values.out ?? new URL('./RESULTS.md', import.meta.url), md)
  console.log('wrote bench/RESULTS.md')
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`)
  process.exitCode = 1
})
