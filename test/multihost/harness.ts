/**
 * Multi-host test harness: a simulated LAN of network namespaces on a private bridge, with a
 * real daemon process per host (in the spirit of Syncthing's lib/rc). See README.md here.
 *
 *   const lan = await createLan(t, 3)
 *   await Promise.all(lan.hosts.map((h) => h.start()))
 *   const relay = await lan.waitFor('a relay', async () => ...)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { NetworkKey } from '../../daemon/identity/index.js'
import { fileURLToPath } from 'node:url'
import { Host, sleep, type HostOptions } from './host.js'
import {
  canBuildNetns,
  createHost,
  createSwitch,
  deleteNamespacesSync,
  ensureBridge,
  hostIp,
  hostNsName,
  ip,
  onProcessExit,
  planLan,
  plugInto,
  SPLIT_BRIDGE,
  vethName,
  type LanPlan,
} from './netns.js'

export { Host, sleep } from './host.js'
export { cleanEnv, jsonLines } from './ns-exec.js'
export type { ApiResponse, ExitInfo, HostOptions } from './host.js'

/** The repository root, found from this file whether it runs from source or from dist/. */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)))
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'daemon', 'cli.js')

function findRepoRoot(dir: string): string {
  let d = dir
  while (!existsSync(path.join(d, 'package.json')) || path.basename(d) === 'dist') {
    const up = path.dirname(d)
    if (up === d) throw new Error(`no package.json above ${dir}`)
    d = up
  }
  return d
}

/** What createLan needs from a tap test; any tap Test (or the root `t`) fits. */
export interface LanTest {
  teardown(fn: () => unknown): void
  comment(...args: unknown[]): void
  passing(): boolean
}

export function canBuildLan(): { ok: true } | { ok: false; reason: string } {
  const netns = canBuildNetns()
  if (!netns.ok) return netns
  if (!existsSync(CLI_PATH)) return { ok: false, reason: `${path.relative(REPO_ROOT, CLI_PATH)} not built (npm run build)` }
  return { ok: true }
}

const DEFAULT_WAIT_MS = 15_000
const POLL_MS = 200

export class Lan {
  readonly hosts: Host[] = []
  private readonly dataDirs: string[] = []
  /** Hosts whose cable is plugged into the second bridge by `split`, until `heal`. */
  private readonly splitOff = new Set<Host>()
  private destroying: Promise<void> | undefined
  private readonly unregisterExit: () => void
  /** Set SOCHAT_KEEP_DATA=1 to keep data dirs (and daemon logs) after the run. */
  private readonly keepData = process.env.SOCHAT_KEEP_DATA === '1'

  private constructor(readonly plan: LanPlan) {
    this.unregisterExit = onProcessExit(() => this.destroySync())
  }

  get switchNs(): string {
    return this.plan.switchNs
  }

  /** Every namespace of this LAN, hosts first (they hold the veth ends). */
  get namespaces(): string[] {
    return [...this.hosts.map((h) => h.ns), this.plan.switchNs]
  }

  static async create(): Promise<Lan> {
    const lan = new Lan(planLan())
    try {
      await createSwitch(lan.plan)
    } catch (err) {
      await lan.destroy()
      throw err
    }
    return lan
  }

  #keyFile: string | undefined

  /** This LAN's network key file (made once, in a data dir of its own, removed with the LAN). */
  networkKeyFile(): string {
    if (!this.#keyFile) {
      const dir = mkdtempSync(path.join(tmpdir(), `sochat-${this.plan.prefix}-key-`))
      this.dataDirs.push(dir)
      this.#keyFile = path.join(dir, 'network-key')
      writeFileSync(this.#keyFile, `${NetworkKey.generate().toString()}\n`, { mode: 0o600 })
    }
    return this.#keyFile
  }

  /** Creates the namespace and cable of a new host; does not start its daemon. */
  async addHost(opts: HostOptions = {}): Promise<Host> {
    if (this.destroying) throw new Error('LAN already destroyed')
    const index = this.hosts.length + 1
    const name = opts.name ?? `h${index}`
    const dataDir = mkdtempSync(path.join(tmpdir(), `sochat-${this.plan.prefix}-${name}-`))
    this.dataDirs.push(dataDir)
    // Every host of a LAN holds the same network key unless told otherwise (`keyless`): the
    // office setup. Tests of admission itself start hosts without it.
    const keyArgs = opts.keyless ? [] : ['--network-key-file', this.networkKeyFile()]
    const ns = hostNsName(this.plan, index)
    // Registered before it exists, so a half-built host is still cleaned up.
    const host = new Host({
      name,
      ns,
      ip: hostIp(this.plan, index),
      dataDir,
      switchNs: this.plan.switchNs,
      veth: vethName(this.plan, index),
      cliPath: opts.cli ?? CLI_PATH,
      repoRoot: REPO_ROOT,
      args: [...keyArgs, ...(opts.args ?? [])],
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
    })
    this.hosts.push(host)
    await createHost(this.plan, index)
    return host
  }

  /**
   * Splits the switch in two: `groupB`'s cables move to a second bridge (br1) in the switch
   * namespace, so the two groups no longer hear each other (neither unicast nor mDNS), while
   * every host keeps its link up and its address. Hosts in neither group stay on br0 with
   * `groupA`. A second split first heals the first. Undo with `heal()`.
   */
  async split(groupA: Host[], groupB: Host[]): Promise<void> {
    if (this.destroying) throw new Error('LAN already destroyed')
    if (groupA.length === 0 || groupB.length === 0) throw new Error('split needs two non-empty groups')
    for (const h of [...groupA, ...groupB]) if (!this.hosts.includes(h)) throw new Error(`${h.name} is not on this LAN`)
    if (groupA.some((h) => groupB.includes(h))) throw new Error('split groups overlap')
    await this.heal()
    await ensureBridge(this.plan, SPLIT_BRIDGE)
    for (const h of groupB) {
      await plugInto(this.plan, h.veth, SPLIT_BRIDGE)
      this.splitOff.add(h)
    }
  }

  /** Plugs every cable moved by `split` back into br0: one LAN again. Idempotent. */
  async heal(): Promise<void> {
    for (const h of [...this.splitOff]) {
      await plugInto(this.plan, h.veth, 'br0')
      this.splitOff.delete(h)
    }
  }

  /** Whether `split` is in effect. */
  get isSplit(): boolean {
    return this.splitOff.size > 0
  }

  /**
   * Polls `probe` every 200 ms until it returns something other than undefined/false. A probe
   * may throw to say why it is not there yet; the timeout error names `what` and that reason.
   */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs
    let lastError: unknown
    for (;;) {
      const remaining = deadline - Date.now()
      try {
        const value = await withTimeout(probe(), Math.max(remaining, 1_000))
        if (value !== undefined && value !== false) return value
        lastError = undefined
      } catch (err) {
        lastError = err
      }
      if (Date.now() >= deadline) {
        const why = lastError === undefined ? '' : `; last probe error: ${(lastError as Error).message ?? String(lastError)}`
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
      }
      await sleep(Math.min(POLL_MS, Math.max(deadline - Date.now(), 0)))
    }
  }

  /** The last lines of every host's daemon log, for a failed test's output. */
  logTails(lines = 40): string {
    return this.hosts.map((h) => `--- ${h.name} (${h.ns}, ${h.ip}) ${h.logPath}\n${h.logTail(lines)}`).join('\n')
  }

  /** Stops daemons, closes forwarders, deletes namespaces and temp dirs. Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= this.teardown()
    return this.destroying
  }

  private async teardown(): Promise<void> {
    await Promise.allSettled(this.hosts.map((h) => h.stop()))
    await Promise.allSettled(this.hosts.map((h) => h.closeForwarder()))
    for (const ns of this.namespaces) await ip('netns', 'del', ns).catch(() => undefined)
    this.destroySync() // whatever the polite path left behind
    this.unregisterExit()
  }

  /** Synchronous last resort, also run from the process 'exit'/signal handlers. */
  private destroySync(): void {
    for (const h of this.hosts) {
      const pid = h.pid
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone already
        }
      }
    }
    deleteNamespacesSync(this.namespaces)
    if (this.keepData) return
    for (const dir of this.dataDirs) rmSync(dir, { recursive: true, force: true })
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`probe still pending after ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Builds a LAN of `hostCount` hosts (daemons not started) and ties its life to `t`: destroyed
 * at teardown, with each daemon's log tail printed first when the test failed.
 */
/** A LAN of `hosts` hosts (a count, or one HostOptions per host), destroyed at teardown. */
export async function createLan(t: LanTest, hosts: number | HostOptions[]): Promise<Lan> {
  const can = canBuildNetns()
  if (!can.ok) throw new Error(`cannot build a LAN: ${can.reason}`)
  const lan = await Lan.create()
  t.teardown(async () => {
    if (!t.passing()) t.comment(`daemon logs (last 40 lines each):\n${lan.logTails(40)}`)
    await lan.destroy()
  })
  const options = typeof hosts === 'number' ? Array.from({ length: hosts }, () => ({})) : hosts
  for (const o of options) await lan.addHost(o)
  return lan
}
