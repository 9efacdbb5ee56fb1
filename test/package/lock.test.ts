/**
 * package.json and package-lock.json agree, so `npm ci`/`npm install` in a fresh clone do not
 * rewrite the lock (the `sochat-tray` bin was once missing from it), and nothing in the lock
 * needs a newer Node than the engines field allows (cookie 2 wants Node >= 22). Offline.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Manifest {
  name: string
  version: string
  bin?: Record<string, string>
  engines?: { node?: string }
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

const pkg = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as Manifest
const lock = JSON.parse(await readFile(`${ROOT}package-lock.json`, 'utf8')) as {
  packages: Record<string, Manifest & { dev?: boolean }>
}

/** The lowest major version a range admits: "^20.19.0 || >=22" → 20. Enough for engines fields. */
function lowestMajor(range: string): number {
  return Math.min(
    ...range.split('||').map((alternative) => {
      const m = /(\d+)/.exec(alternative.trim().startsWith('<') ? '0' : alternative)
      return m ? Number(m[1]) : 0
    }),
  )
}

t.test('the lock’s root entry is package.json’s', async (t) => {
  const root = lock.packages['']!
  t.equal(root.name, pkg.name)
  t.equal(root.version, pkg.version)
  t.same(root.bin, pkg.bin, 'the same bins (sochat and sochat-tray)')
  t.same(root.engines, pkg.engines)
  t.same(root.dependencies, pkg.dependencies)
  t.same(root.devDependencies, pkg.devDependencies)
})

t.test('what runs is a dependency, not a dev dependency', async (t) => {
  for (const name of ['sharp', 'pino', 'fastify', 'level']) {
    t.ok(pkg.dependencies?.[name], `${name} is a dependency`)
    t.notOk(lock.packages[`node_modules/${name}`]?.dev, `${name} is not marked dev in the lock`)
  }
})

t.test('nothing in the lock needs a newer Node than package.json’s engines', async (t) => {
  const ours = lowestMajor(pkg.engines!.node!)
  t.equal(ours, 20, 'Node 20 is what SO-CHAT supports')
  const tooNew = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.engines?.node && lowestMajor(p.engines.node) > ours)
    .map(([path, p]) => `${path} (node ${p.engines!.node})`)
  t.same(tooNew, [], 'every package runs on Node 20')
})
