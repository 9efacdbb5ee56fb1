/** The benchmark's LANs: the multi-host harness without tap, always destroyed. */
import { canBuildLan, Lan, type Host } from '../test/multihost/harness.js'
import { logIn, settledProbe, signUp, type Settled } from '../test/multihost/lan-helpers.js'

export { sleep } from '../test/multihost/harness.js'
export type { Host, Lan }

export async function withLan<T>(hostCount: number, run: (lan: Lan) => Promise<T>): Promise<T> {
  const can = canBuildLan()
  if (!can.ok) throw new Error(`the benchmark needs network namespaces: ${can.reason}`)
  const lan = await Lan.create()
  try {
    for (let i = 0; i < hostCount; i++) await lan.addHost()
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
