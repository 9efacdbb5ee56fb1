/**
 * Idle cost of the tray agent: `sochat-tray` attached to an idle relay, on a private Xvfb
 * display with trayer as the tray, measured like the daemons in idle.ts. The agent is two
 * processes: node (the link and the icons) and systray2's GTK helper; both are reported.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { missingTools, startXvfb } from '../test/lib/desktop-session.js'
import type { Build } from './build.js'
import {
  anonBytes,
  cpuTicks,
  EARLY_MS,
  IDLE_SETTLE_MS,
  mib,
  round,
  rssBytes,
  sleep,
  TICKS_PER_S,
  tempDir,
  type DaemonProcess,
} from './proc.js'

export interface TrayIdleResult {
  process: string
  rssMiB: number
  ownMiB: number
  earlyRssMiB: number
  cpuPercent: number
  seconds: number
}

const TOOLS = ['Xvfb', 'trayer']

export function trayIdleMissing(): string | null {
  const missing = missingTools(TOOLS)
  return missing.length ? `no tray idle figure: ${missing.join(', ')} not installed (apt-get install xvfb trayer)` : null
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** The tray of `opts.build` (its own dist/tray/cli.js, so a --compare-build row is that build's tray). */
export async function trayIdle(relay: DaemonProcess, opts: { seconds: number; build: Build }): Promise<TrayIdleResult[]> {
  const kill: ChildProcess[] = []
  const cache = tempDir('tray-cache')
  try {
    const env = { ...process.env, DISPLAY: await startXvfb(kill), XDG_CACHE_HOME: cache.dir }
    kill.push(
      spawn(
        'trayer',
        ['--edge', 'top', '--align', 'left', '--widthtype', 'pixel', '--width', '200', '--heighttype', 'pixel', '--height', '40'],
        { env, stdio: 'ignore' },
      ),
    )
    const tray = spawn(process.execPath, [join(opts.build.root, 'dist/tray/cli.js'), '--data-dir', relay.dataDir], {
      env,
      cwd: opts.build.root,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    kill.push(tray)
    let log = ''
    tray.stdout!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-8000)
    })
    for (let i = 0; !log.includes('"tone":"relay"'); i++) {
      if (tray.exitCode !== null || i > 300) throw new Error(`the tray did not show the relay state within 15 s: ${log.slice(-500)}`)
      await sleep(50)
    }
    await sleep(EARLY_MS) // icons shown, the helper settled
    const helper = childrenOf(tray.pid!)[0]
    if (helper === undefined) throw new Error('the tray helper process was not found')
    const pids: [string, number][] = [
      ['tray agent (node)', tray.pid!],
      ['tray helper (systray2, GTK)', helper],
    ]
    const early = pids.map(([, pid]) => rssBytes(pid))
    await sleep(IDLE_SETTLE_MS - EARLY_MS)
    const t0 = pids.map(([, pid]) => cpuTicks(pid))
    await sleep(opts.seconds * 1000)
    return pids.map(([name, pid], i) => ({
      process: name,
      rssMiB: mib(rssBytes(pid)),
      ownMiB: mib(anonBytes(pid)),
      earlyRssMiB: mib(early[i]!),
      seconds: opts.seconds,
      cpuPercent: round(((cpuTicks(pid) - t0[i]!) / TICKS_PER_S / opts.seconds) * 100, 2),
    }))
  } finally {
    for (const c of kill.reverse()) c.kill('SIGKILL')
    cache.remove()
  }
}
