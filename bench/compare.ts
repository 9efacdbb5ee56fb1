/**
 * `--compare-build`: one scenario's rows from two builds, side by side, with what the change
 * costs. Rows pair by their label (the "what" column); a figure's numbers are the bold ones,
 * paired in order. The cost is in time, so that + always means worse: for a time, a size or a
 * percentage after/before − 1; for a rate (a unit with "/s") before/after − 1, the extra time
 * per message or per MiB.
 */
import type { Row } from './scenarios.js'

const BOLD = /\*\*(-?[\d.]+)\s*([^*]*)\*\*/g

function figures(text: string): { value: number; unit: string }[] {
  return [...text.matchAll(BOLD)].map((m) => ({ value: Number(m[1]), unit: m[2]!.trim() }))
}

/** "+12 %" per paired figure, or "n/a" where a figure is missing or zero. */
export function cost(before: string, after: string): string {
  const b = figures(before)
  const a = figures(after)
  const parts: string[] = []
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = b[i]!.value
    const y = a[i]!.value
    if (!(x > 0 && y > 0)) {
      parts.push(x === y ? '0 %' : 'n/a')
      continue
    }
    const pct = (a[i]!.unit.includes('/s') ? x / y - 1 : y / x - 1) * 100
    parts.push(`${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(pct > -10 && pct < 10 ? 1 : 0)} %`)
  }
  return parts.length ? parts.join(', ') : 'n/a'
}

/** The section table of a comparison: what | before | after | cost. */
export function compareTable(labels: [string, string], before: Row[], after: Row[]): string {
  const keys = [...new Set([...after.map((r) => r[0]), ...before.map((r) => r[0])])]
  const find = (rows: Row[], k: string) => rows.find((r) => r[0] === k)?.[1]
  const lines = keys.map((k) => {
    const b = find(before, k)
    const a = find(after, k)
    return `| ${k} | ${b ?? '—'} | ${a ?? '—'} | ${b && a ? cost(b, a) : '—'} |`
  })
  return `| what | ${labels[0]} | ${labels[1]} | cost of the change (time: + is slower) |\n| --- | --- | --- | --- |\n${lines.join('\n')}\n`
}
