/**
 * `npm run bench [-- --quick] [-- --only history,fanout] [-- --compare-build DIR]`: runs the
 * chosen scenarios one after another (the machine has 2 cores), prints each figure as it
 * comes, and writes bench/RESULTS.md. A scenario whose own check fails (a message lost,
 * doubled or wrong) gives no figure: its row says why, and the run exits non-zero.
 *
 * With `--compare-build DIR` (an older tree built in place, or its dist/) each scenario runs
 * against that build and then against this one, back to back, and its table puts the two
 * side by side with the cost of the change (compare.ts): before and after in one run, on the
 * same machine under the same conditions.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { type Build, compareBuild, CURRENT } from './build.js'
import { compareTable } from './compare.js'
import { SCENARIOS, type Row } from './scenarios.js'
import { machine } from './report.js'

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' }, 'compare-build': { type: 'string' } },
})
const quick = values.quick === true
const names = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS)
for (const n of names) if (!(n in SCENARIOS)) throw new Error(`unknown scenario "${n}"; known: ${Object.keys(SCENARIOS).join(', ')}`)
const other = values['compare-build'] ? compareBuild(values['compare-build']) : null

interface Outcome {
  rows: Row[]
  notes: string[]
  failed: boolean
}

async function runScenario(name: string, build: Build, baselines: boolean): Promise<Outcome> {
  const out: Outcome = { rows: [], notes: [], failed: false }
  const tag = other ? `${name} [${build.label}]` : name
  try {
    await SCENARIOS[name]!({
      quick,
      build,
      baselines,
      row: (r) => {
        out.rows.push(r)
        console.log(`${tag}: ${r[0]} — ${r[1].replace(/\*\*/g, '')}`)
      },
      note: (n) => {
        out.notes.push(n)
        console.log(`${tag}: note: ${n}`)
      },
    })
  } catch (err) {
    out.failed = true
    out.rows.push([`${name}: FAILED`, `no figure: ${(err as Error).message.replace(/\|/g, '/').slice(0, 600)}`])
    console.error(`${tag}: FAILED: ${(err as Error).message}`)
  }
  return out
}

const table = (rows: Row[]) => `| what | figure |\n| --- | --- |\n${rows.map((r) => `| ${r[0]} | ${r[1]} |`).join('\n')}\n`
const noteList = (label: string, notes: string[]) => notes.map((n) => `\n- ${label}${n}`).join('')

async function main(): Promise<void> {
  const started = new Date()
  const against = other ? `; before: ${other.root}, after: this tree` : ''
  console.log(`SO-CHAT benchmark (${quick ? 'quick' : 'full'}: ${names.join(', ')}${against}) on ${machine()}`)
  const sections: string[] = []
  let failed = false
  for (const name of names) {
    const t = performance.now()
    const before = other ? await runScenario(name, other, false) : null
    const after = await runScenario(name, CURRENT, true)
    failed ||= after.failed || before?.failed === true
    const secs = Math.round((performance.now() - t) / 1000)
    console.log(`${name}: ${secs} s`)
    const body = before
      ? `${compareTable([other!.label, CURRENT.label], before.rows, after.rows)}${noteList(`${other!.label}: `, before.notes)}${noteList(`${CURRENT.label}: `, after.notes)}`
      : `${table(after.rows)}${noteList('', after.notes)}`
    sections.push(`## ${name} (${secs} s)\n\n${body}\n`)
  }
  const md = `# SO-CHAT benchmark results

Run ${started.toISOString()} (${quick ? '--quick' : 'full'}; scenarios: ${names.join(', ')}${against}) on ${machine()}.
Load comes from separate load-generator processes, never from the process under test, all on
loopback (127.0.0.0/8) or in the benchmark's own network namespaces. See bench/README.md for
what each figure means. Other work running on the machine at the same time shows up as noise.

${sections.join('\n')}`
  writeFileSync(values.out ?? new URL('./RESULTS.md', import.meta.url), md)
  console.log(`wrote ${values.out ?? 'bench/RESULTS.md'}`)
  if (failed) process.exitCode = 1
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`)
  process.exitCode = 1
})
