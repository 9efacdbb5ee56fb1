/**
 * Network-namespace plumbing for the multi-host harness: a private bridge ("switch") namespace
 * and one namespace per simulated host, joined by veth pairs. Nothing here touches the root
 * namespace's interfaces, so no discovery or chat traffic can leave the machine.
 *
 * Also holds the process-exit clean-up registry (see `onProcessExit`).
 */
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'

/** Runs a command without a shell, bounded in time; rejects with its stderr on failure. */
export function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        const why = String(stderr).trim() || err.message
        reject(new Error(`${cmd} ${args.join(' ')}: ${why}`))
      } else {
        resolve(String(stdout))
      }
    })
  })
}

export const ip = (...args: string[]): Promise<string> => run('ip', args)

/** Names and addresses of one simulated LAN; unique per run so parallel runs never collide. */
export interface LanPlan {
  /** `sc` + 4 hex digits: every namespace and link of this LAN starts with it. */
  readonly prefix: string
  /** The switch namespace that holds bridge br0. */
  readonly switchNs: string
  /** First three octets of the LAN's private 10.a.b.0/24 subnet, e.g. `10.37.201`. */
  readonly subnet: string
}

export function planLan(): LanPlan {
  const taken = new Set(listNamespaces())
  for (;;) {
    const prefix = `sc${randomBytes(2).toString('hex')}`
    if ([...taken].some((ns) => ns.startsWith(prefix))) continue
    return { prefix, switchNs: `${prefix}sw`, subnet: `10.${randomInt(256)}.${randomInt(256)}` }
  }
}

export function hostNsName(plan: LanPlan, index: number): string {
  return `${plan.prefix}h${index}`
}

/** The switch-side end of host `index`'s cable (at most 10 characters, under IFNAMSIZ 15). */
export function vethName(plan: LanPlan, index: number): string {
  return `${plan.prefix}v${index}`
}

export function hostIp(plan: LanPlan, index: number): string {
  if (index < 1 || index > 254) throw new Error(`host index ${index} out of range 1..254`)
  return `${plan.subnet}.${index}`
}

/**
 * Creates the switch namespace with bridge br0. Multicast snooping is off: with no IGMP
 * querier on this bridge, snooping could start dropping mDNS after membership timeouts.
 */
export async function createSwitch(plan: LanPlan): Promise<void> {
  const sw = plan.switchNs
  await ip('netns', 'add', sw)
  await ip('-n', sw, 'link', 'set', 'lo', 'up')
  await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0')
  await ip('-n', sw, 'link', 'set', 'br0', 'up')
}

/** The second bridge of the switch namespace, made by the first `split` (see `Lan.split`). */
export const SPLIT_BRIDGE = 'br1'

/** Creates bridge `name` in the switch namespace (multicast snooping off, up) unless it exists. */
export async function ensureBridge(plan: LanPlan, name: string): Promise<void> {
  const sw = plan.switchNs
  const exists = await ip('-n', sw, 'link', 'show', 'dev', name).then(
    () => true,
    () => false,
  )
  if (exists) return
  await ip('-n', sw, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0')
  await ip('-n', sw, 'link', 'set', name, 'up')
}

/**
 * Moves a cable's switch-side end to another bridge of the switch namespace. The veth keeps
 * its admin state and carrier, so the host notices nothing but silence from the other side.
 */
export async function plugInto(plan: LanPlan, veth: string, bridge: string): Promise<void> {
  await ip('-n', plan.switchNs, 'link', 'set', 'dev', veth, 'master', bridge)
}

/**
 * Creates host namespace `ns` and plugs it into the switch. The veth pair is created inside
 * the switch namespace directly, so not even for a moment does a link exist in the root one.
 */
export async function createHost(plan: LanPlan, index: number): Promise<{ ns: string; ip: string }> {
  const ns = hostNsName(plan, index)
  const veth = vethName(plan, index)
  const addr = hostIp(plan, index)
  const sw = plan.switchNs
  await ip('netns', 'add', ns)
  await ip('-n', sw, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'e0', 'netns', ns)
  await ip('-n', sw, 'link', 'set', veth, 'master', 'br0', 'up')
  await ip('-n', ns, 'link', 'set', 'lo', 'up')
  await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'e0')
  await ip('-n', ns, 'link', 'set', 'e0', 'up')
  // A default route would give this; without one the daemons' multicast has no way out.
  await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'e0')
  return { ns, ip: addr }
}

export function listNamespaces(): string[] {
  try {
    const out = execFileSync('ip', ['netns', 'list'], { timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] })
    return String(out)
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter(Boolean)
  } catch {
    return []
  }
}

/**
 * Deletes namespaces synchronously (usable from a process 'exit' handler). Any process still
 * inside one of them is ours, since the names are unique to this run: it is SIGKILLed first,
 * because a namespace with live processes outlives `ip netns del`.
 */
export function deleteNamespacesSync(names: readonly string[]): void {
  for (const ns of names) {
    try {
      const pids = String(execFileSync('ip', ['netns', 'pids', ns], { timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] }))
      for (const pid of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // already gone
        }
      }
    } catch {
      // namespace already gone
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], { timeout: 5_000, stdio: 'ignore' })
    } catch {
      // already gone
    }
  }
}

/** Whether this process may build namespaces at all: root and a working `ip netns`. */
export function canBuildNetns(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root (network namespaces)' }
  try {
    execFileSync('ip', ['netns', 'list'], { timeout: 5_000, stdio: 'ignore' })
  } catch (err) {
    return { ok: false, reason: `\`ip netns list\` failed (is iproute2 installed?): ${(err as Error).message}` }
  }
  // Root in an unprivileged container can list namespaces but not make them: try one.
  const probe = `sc${randomBytes(2).toString('hex')}pr`
  try {
    execFileSync('ip', ['netns', 'add', probe], { timeout: 5_000, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim()
    return { ok: false, reason: `cannot create a network namespace (needs CAP_SYS_ADMIN): ${stderr || (err as Error).message}` }
  } finally {
    deleteNamespacesSync([probe])
  }
  return { ok: true }
}

/*
 * Exit clean-up registry. This is the one module-level mutable singleton the harness has, on
 * purpose: process 'exit' and signal handlers are process-wide, and a LAN left behind by a
 * crashed or interrupted test run would keep namespaces and daemons alive on the machine.
 * Each LAN registers a synchronous clean-up and unregisters it once destroyed.
 */
const exitCleanups = new Set<() => void>()
let handlersInstalled = false

function runExitCleanups(): void {
  for (const fn of [...exitCleanups]) {
    exitCleanups.delete(fn)
    try {
      fn()
    } catch {
      // best effort: keep cleaning the others
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', runExitCleanups)
  // A listener replaces the default "die" action of these signals, so exit explicitly.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      runExitCleanups()
      process.exit(code)
    })
  }
}

/** Registers a synchronous clean-up for process exit; returns a function that unregisters it. */
export function onProcessExit(fn: () => void): () => void {
  installHandlers()
  exitCleanups.add(fn)
  return () => exitCleanups.delete(fn)
}
