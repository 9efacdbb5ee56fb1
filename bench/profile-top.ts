/**
 * Top self time of a .cpuprofile (V8's JSON: nodes with callFrame and hitCount), and the total
 * (self plus callees) of the functions named on the command line.
 * `npx tsx bench/profile-top.ts FILE [N] [name ...]`
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
  children?: number[]
}
const [file, n = '30', ...names] = process.argv.slice(2)
const prof = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: Node[]; startTime: number; endTime: number; samples: number[] }
const total = prof.nodes.reduce((s, x) => s + x.hitCount, 0)
const ms = (prof.endTime - prof.startTime) / 1000
const perHit = ms / total
const label = (x: Node) =>
  `${x.callFrame.functionName || '(anonymous)'} ${x.callFrame.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${x.callFrame.lineNumber + 1}`
const self = new Map<string, number>()
for (const x of prof.nodes) self.set(label(x), (self.get(label(x)) ?? 0) + x.hitCount)
console.log(`${file}: ${Math.round(ms)} ms, ${total} samples`)
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${(v * perHit).toFixed(0).padStart(7)} ms  ${k}`)
const byId = new Map(prof.nodes.map((x) => [x.id, x]))
const inclusive = (x: Node): number => x.hitCount + (x.children ?? []).reduce((s, c) => s + inclusive(byId.get(c)!), 0)
for (const name of names) {
  // Outermost frames of that name only, so recursion is not counted twice.
  let sum = 0
  const walk = (x: Node, inside: boolean) => {
    const hit = !inside && x.callFrame.functionName === name
    if (hit) sum += inclusive(x)
    for (const c of x.children ?? []) walk(byId.get(c)!, inside || hit)
  }
  walk(prof.nodes[0]!, false)
  console.log(`total ${name}: ${(sum * perHit).toFixed(0)} ms`)
}
