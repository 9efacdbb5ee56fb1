/**
 * Idle cost: a relay daemon process (loopback, mDNS off, no links) and, as the client side,
 * one more daemon process linked to it as a static peer; RSS and CPU of each from /proc over
 * `seconds` with nothing happening. The tray agent's share is in tray-idle.ts.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Build, startBuildRelay } from './build.js'
import { anonBytes, cpuTicks, EARLY_MS, freePort, IDLE_SETTLE_MS, mib, round, rssBytes, sleep, tempDir, TICKS_PER_S } from './proc.js'
import { trayIdle, trayIdleMissing } from './tray-idle.js'

export interface IdleResult {
  role: string
  rssMiB: number
  /** Of rssMiB, its own memory (anonBytes); the rest is mapped files, the node binary first. */
  ownMiB: number
  /** RSS EARLY_MS after start-up, before V8 gave back what start-up grew (proc.ts). */
  earlyRssMiB: number
  cpuPercent: number
  seconds: number
}

export interface IdleReport {
  daemons: IdleResult[]
  /** The floor, measured alongside: a Node process that loads nothing and waits. */
  bareNode: IdleResult
  tray: IdleResult[]
  note: string | null
}

function sample(pid: number, role: string, seconds: number, t0: number, early: number): IdleResult {
  return {
    role,
    rssMiB: mib(rssBytes(pid)),
    ownMiB: mib(anonBytes(pid)),
    earlyRssMiB: mib(early),
    cpuPercent: round(((cpuTicks(pid) - t0) / TICKS_PER_S / seconds) * 100, 2),
    seconds,
  }
}

export async function idle(opts: { seconds: number; build: Build }): Promise<IdleReport> {
  const a = tempDir('idle-relay')
  const b = tempDir('idle-client')
  // Both hold the same network key (a TLS build): the office setup, so the client links.
  // Started first, sampled with the daemons: Node's own share of every figure below.
  const bareNode = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' })
  const { relay } = await startBuildRelay(opts.build, a.dir)
  const peerPort = await freePort()
  const client = spawn(
    process.execPath,
    [
      'dist/daemon/cli.js',
      'start',
      ...(relay.keyFile ? ['--network-key-file', relay.keyFile] : []),
      '--no-mdns',
      '--data-dir',
      b.dir,
      '--ui-port',
      '0',
      '--peer-port',
      String(peerPort),
      '--name',
      'bench-client',
      '--peer',
      `127.0.0.1:${relay.peerPort}`,
    ],
    { cwd: opts.build.root, stdio: 'ignore' },
  )
  try {
    for (let i = 0; ; i++) {
      const ui = (() => {
        try {
          return (JSON.parse(readFileSync(join(b.dir, 'sochatd.json'), 'utf8')) as { ui: string }).ui
        } catch {
          return null
        }
      })()
      const s = ui
        ? await fetch(`${ui}/api/v1/status`).then(
            (r) => r.json() as Promise<{ role: string }>,
            () => null,
          )
        : null
      if (s?.role === 'client') break
      if (i > 300) throw new Error('the second daemon did not join the relay within 15 s')
      await sleep(50)
    }
    await sleep(EARLY_MS) // start-up work done, a few rosters exchanged
    const early = [rssBytes(relay.pid), rssBytes(client.pid!), rssBytes(bareNode.pid!)]
    await sleep(IDLE_SETTLE_MS - EARLY_MS)
    const r0 = cpuTicks(relay.pid)
    const c0 = cpuTicks(client.pid!)
    const n0 = cpuTicks(bareNode.pid!)
    await sleep(opts.seconds * 1000)
    const daemons = [
      sample(relay.pid, 'relay (1 client linked)', opts.seconds, r0, early[0]!),
      sample(client.pid!, 'client', opts.seconds, c0, early[1]!),
    ]
    const floor = sample(bareNode.pid!, 'bare Node (node -e "setInterval(…)")', opts.seconds, n0, early[2]!)
    const note = trayIdleMissing()
    const tray = note ? [] : (await trayIdle(relay, opts)).map((r) => ({ ...r, role: r.process }))
    return { daemons, bareNode: floor, tray, note }
  } finally {
    bareNode.kill('SIGKILL')
    if (client.exitCode === null) {
      const exited = new Promise((r) => client.once('exit', r))
      client.kill('SIGTERM')
      await exited
    }
    await relay.stop()
    a.remove()
    b.remove()
  }
}
