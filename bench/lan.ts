/**
 * The benchmark's LANs: the multi-host harness without tap, always destroyed. A build other
 * than this tree's runs under its own tree's harness (test/multihost/harness.ts there), which
 * starts that tree's dist/ and knows what its daemons take (before issue 13: no network key).
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as current from '../test/multihost/harness.js'
import type { Host, Lan } from '../test/multihost/harness.js'
import { logIn, settledProbe, signUp, type Settled } from '../test/multihost/lan-helpers.js'
import { type Build, CURRENT } from './build.js'

export { sleep } from '../test/multihost/harness.js'
export type { Host, Lan }

type Harness = typeof current

async function harnessOf(build: Build): Promise<Harness> {
  if (build === CURRENT) return current
  return (await import(pathToFileURL(join(build.root, 'test', 'multihost', 'harness.ts')).href)) as unknown as Harness
}

export async function withLan<T>(
  hostCount: number,
  run: (lan: Lan) => Promise<T>,
  opts: { build: Build; hostArgs?: string[] },
): Promise<T> {
  const h = await harnessOf(opts.build)
  const can = h.canBuildLan()
  if (!can.ok) throw new Error(`the benchmark needs network namespaces: ${can.reason}`)
  const lan = await h.Lan.create()
  try {
    // `SOCHAT_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`: every daemon profiled (README).
    const nodeArgs = process.env.SOCHAT_BENCH_NODE_ARGS?.split(' ').filter(Boolean)
    for (let i = 0; i < hostCount; i++)
      await lan.addHost({ ...(opts.hostArgs ? { args: opts.hostArgs } : {}), ...(nodeArgs?.length ? { nodeArgs } : {}) })
    return await run(lan)
  } finally {
    await lan.destroy()
  }
}

export function settled(lan: Lan, hosts: Host[] = lan.hosts, timeoutMs = 30_000): Promise<Settled> {
  return lan.waitFor('one relay followed by every host', () => settledProbe(hosts), timeoutMs)
}

/** One account, logged in on every host: token per host. */
export async function accountEverywhere(hosts: Host[], username = 'bench'): Promise<Map<Host, string>> {
  await signUp(hosts[0]!, username, 'bench password')
  const tokens = new Map<Host, string>()
  for (const h of hosts) tokens.set(h, (await logIn(h, username, 'bench password')).token)
  return tokens
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2)
}
