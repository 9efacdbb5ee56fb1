/**
 * `npm run bench [-- --quick] [-- --only history,fanout]`: runs the chosen scenarios one after
 * another (the machine has 2 cores), prints each figure as it comes, and writes
 * bench/RESULTS.md. A scenario whose own check fails (a message lost, doubled or wrong) gives
 * no figure: its row says why, and the run exits non-zero.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { SCENARIOS, type Row } from './scenarios.js'
import { machine } from './report.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' } } })
const quick = values.quick === true
const names = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS)
for (const n of names) if (!(n in SCENARIOS)) throw new Error(`unknown scenario "${n}"; known: ${Object.keys(SCENARIOS).join(', ')}`)

async function main(): Promise<void> {
  const started = new Date()
  console.log(`SO-CHAT benchmark (${quick ? 'quick' : 'full'}: ${names.join(', ')}) on ${machine()}`)
  const sections: string[] = []
  let failed = false
  for (const name of names) {
    const t = performance.now()
    const rows: Row[] = []
    const notes: string[] = []
    try {
      await SCENARIOS[name]!({
        quick,
        row: (r) => {
          rows.push(r)
          console.log(`${name}: ${r[0]} — ${r[1].replace(/\*\*/g, '')}`)
        },
        note: (n) => {
          notes.push(n)
          console.log(`${name}: note: ${n}`)
        },
      })
    } catch (err) {
      failed = true
      rows.push([`${name}: FAILED`, `no figure: ${(err as Error).message.replace(/\|/g, '/').slice(0, 600)}`])
      console.error(`${name}: FAILED: ${(err as Error).message}`)
    }
    const secs = Math.round((performance.now() - t) / 1000)
    console.log(`${name}: ${secs} s`)
    sections.push(
      `## ${name} (${secs} s)\n\n| what | figure |\n| --- | --- |\n${rows.map((r) => `| ${r[0]} | ${r[1]} |`).join('\n')}\n${notes.map((n) => `\n- ${n}`).join('')}\n`,
    )
  }
  const md = `# SO-CHAT benchmark results

Run ${started.toISOString()} (${quick ? '--quick' : 'full'}; scenarios: ${names.join(', ')}) on ${machine()}.
Load comes from separate load-generator processes, never from the process under test, all on
loopback (127.0.0.0/8) or in the benchmark's own network namespaces. See bench/README.md for
what each figure means. Other work running on the machine at the same time shows up as noise.

${sections.join('\n')}`
  writeFileSync(values.out ?? new URL('./RESULTS.md', import.meta.url), md)
  console.log('wrote bench/RESULTS.md')
  if (failed) process.exitCode = 1
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`)
  process.exitCode = 1
})
