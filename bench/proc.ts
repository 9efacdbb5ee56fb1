/**
 * Processes under test and the figures read from /proc: a relay daemon started as its own
 * process on loopback with mDNS off (nothing leaves the machine), its RSS and CPU time, free
 * ports, and percentiles.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `sochat-bench-${prefix}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject)
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** Resident memory of a process in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) * 1024
}

/**
 * The part of a process's RSS that is its own (anonymous pages: the V8 heap, malloc, thread
 * stacks), as against mapped files (the node binary, libraries, native modules): those pages
 * are clean, shared with every process mapping the same file and the first the kernel takes
 * back, but VmRSS counts them in full in each process.
 */
export function anonBytes(pid: number): number {
  const m = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
  if (!m) throw new Error(`no Anonymous line in /proc/${pid}/smaps_rollup`)
  return Number(m[1]) * 1024
}

/** User + system CPU time of a process in clock ticks (USER_HZ, 100 on Linux). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14, 15 of stat)
}
export const TICKS_PER_S = 100

export interface DaemonProcess {
  pid: number
  /** The network key file it was started with, if any. */
  keyFile?: string
  ui: string
  peerPort: number
  dataDir: string
  child: ChildProcess
  stop: () => Promise<void>
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/**
 * `node dist/daemon/cli.js start --no-mdns` on a fresh data dir, peer port on 0.0.0.0 as
 * shipped but reached on 127.0.0.x only; resolves once it is the relay (after its discovery
 * window). `nofile` raises its open-file limit to the hard limit first.
 */
export async function startRelayProcess(opts: {
  dataDir: string
  nofile?: boolean
  name?: string
  /** The repository root whose dist/ to run (default: this one). */
  root?: string
  /** `--network-key-file`: the key the bench's own links prove (builds with TLS links only). */
  keyFile?: string
}): Promise<DaemonProcess> {
  const peerPort = await freePort()
  const cwd = opts.root ?? ROOT
  // BENCH_RELAY_PROF=DIR: the relay writes a V8 CPU profile there when it stops (where the time goes).
  const profile = process.env.BENCH_RELAY_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_RELAY_PROF}`] : []
  const args = [
    ...profile,
    'dist/daemon/cli.js',
    'start',
    ...(opts.keyFile ? ['--network-key-file', opts.keyFile] : []),
    '--no-mdns',
    '--data-dir',
    opts.dataDir,
    '--ui-port',
    '0',
    '--peer-port',
    String(peerPort),
    '--name',
    opts.name ?? 'bench-relay',
  ]
  const child = opts.nofile
    ? spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn) && exec node "$@"', 'sh', ...args], {
        cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const runtime = join(opts.dataDir, 'sochatd.json')
  try {
    const ui = await waitUntil(
      'the daemon to start',
      async () => {
        if (child.exitCode !== null) throw new Error(`daemon exited: ${stderr}`)
        return (JSON.parse(readFileSync(runtime, 'utf8')) as { ui: string }).ui
      },
      60_000,
    )
    await waitUntil(
      'the daemon to become relay',
      async () => {
        const s = (await (await fetch(`${ui}/api/v1/status`)).json()) as { role: string }
        return s.role === 'relay' ? true : undefined
      },
      60_000,
    )
    return {
      pid: child.pid!,
      ...(opts.keyFile ? { keyFile: opts.keyFile } : {}),
      ui,
      peerPort,
      dataDir: opts.dataDir,
      child,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(t)
      },
    }
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    throw new Error(`${(err as Error).message}${stderr ? `; stderr: ${stderr}` : ''}`)
  }
}

/** Creates an account through the relay's REST API (what a person's sign-up does). */
export async function signUp(ui: string, username: string, password = 'bench password'): Promise<void> {
  const res = await fetch(`${ui}/api/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`)
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export const round = (x: number, digits = 0) => Number(x.toFixed(digits))
export const mib = (bytes: number) => round(bytes / 2 ** 20, 1)

/**
 * How long a process is left alone before its idle figures are taken. V8 shrinks a heap grown
 * during start-up only once its memory reducer runs, 20–30 s after the last burst of
 * allocation (a daemon measured at 107 MiB 8 s after start was at 87 MiB from 30 s on), so a
 * figure taken sooner is start-up's, not idle's. The early figure is reported beside it.
 */
export const IDLE_SETTLE_MS = 40_000
export const EARLY_MS = 3000
