/**
 * One simulated machine: a network namespace, a data dir, and (once started) a real daemon
 * process inside that namespace, driven through its unix control socket.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { Status } from '../../shared/index.js'
import { UnixForwarder } from './forward.js'
import { ip } from './netns.js'
import { cleanEnv, runInNs, spawnInNs } from './ns-exec.js'

export interface HostOptions {
  name?: string
  /** Extra CLI arguments for `sochat start`. */
  args?: string[]
  /** Extra environment for the daemon (a D-Bus session address, a browser command). */
  env?: Record<string, string>
  /** Start without the LAN's network key file: the machine founds a network or asks to join. */
  keyless?: boolean
  /** Extra arguments for node itself, before the CLI. */
  nodeArgs?: string[]
  /** The script node runs instead of dist/daemon/cli.js (a fixture that patches the daemon, then runs its CLI). */
  cli?: string
}

/** How the daemon process last ended; `forced` when stop() had to fall back to SIGKILL. */
export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
  forced: boolean
  /** From the signal sent by stop()/kill() to the process's exit. */
  ms: number
}

export interface ApiResponse<T> {
  status: number
  body: T
}

/** What a Host needs from its LAN; kept explicit so Host does not depend on the Lan class. */
export interface HostSetup {
  name: string
  ns: string
  ip: string
  dataDir: string
  switchNs: string
  veth: string
  cliPath: string
  repoRoot: string
  args: string[]
  env?: Record<string, string>
  nodeArgs?: string[]
}

const START_TIMEOUT_MS = 20_000
const STOP_GRACE_MS = 5_000
const API_TIMEOUT_MS = 10_000

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Whether `p` settles within `ms`; the timer is cleared so it never holds the process open. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([p.then(() => true), late])
  } finally {
    clearTimeout(timer)
  }
}

export function tailFile(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log file)'
  const all = readFileSync(file, 'utf8').split('\n')
  if (all.at(-1) === '') all.pop()
  return all.slice(-lines).join('\n')
}

export class Host {
  readonly name: string
  readonly ns: string
  readonly ip: string
  readonly dataDir: string
  readonly socketPath: string
  readonly logPath: string
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private forwarder: Promise<UnixForwarder> | undefined
  private signalledAt = 0
  private forced = false
  /** Set when the daemon process ends; undefined while it runs or before the first start. */
  lastExit: ExitInfo | undefined

  constructor(private readonly setup: HostSetup) {
    this.name = setup.name
    this.ns = setup.ns
    this.ip = setup.ip
    this.dataDir = setup.dataDir
    this.socketPath = path.join(setup.dataDir, 'sochatd.sock')
    this.logPath = path.join(setup.dataDir, 'daemon.log')
  }

  /** True while the daemon process is alive. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined
  }

  /** Spawns the daemon in the namespace; resolves once its control socket answers status. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name}: daemon already running`)
    if (!existsSync(this.setup.cliPath)) throw new Error(`${this.setup.cliPath} missing: run \`npm run build\``)
    const child = this.spawnDaemon()
    let exitInfo: string | undefined
    this.lastExit = undefined
    this.forced = false
    this.signalledAt = 0
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `exited with ${signal ?? `code ${code}`}`
        this.lastExit = { code, signal, forced: this.forced, ms: this.signalledAt ? Date.now() - this.signalledAt : 0 }
        resolve()
      })
    })
    const deadline = Date.now() + START_TIMEOUT_MS
    let lastError = 'no answer yet'
    while (Date.now() < deadline) {
      if (exitInfo) break
      try {
        const res = await this.api('GET', '/api/v1/status')
        if (res.status === 200) return
        lastError = `status answered ${res.status}`
      } catch (err) {
        lastError = (err as Error).message
      }
      await sleep(200)
    }
    const why = exitInfo ?? `no status within ${START_TIMEOUT_MS} ms (last: ${lastError})`
    if (!exitInfo) await this.kill()
    throw new Error(`${this.name}: daemon did not start: ${why}\n--- ${this.logPath} (tail)\n${this.logTail(20)}`)
  }

  private spawnDaemon(): ChildProcess {
    const s = this.setup
    const args = ['start', '--data-dir', s.dataDir, '--interface', 'e0', '--name', s.name, ...s.args]
    const fd = openSync(this.logPath, 'a')
    const node = ['node', ...(s.nodeArgs ?? [])].join(' ')
    writeSync(fd, `--- harness ${new Date().toISOString()}: ip netns exec ${s.ns} ${node} ${s.cliPath} ${args.join(' ')}\n`)
    try {
      // `ip netns exec` execs node in place, so child.pid is the daemon's own pid.
      this.child = spawn('ip', ['netns', 'exec', s.ns, process.execPath, ...(s.nodeArgs ?? []), s.cliPath, ...args], {
        cwd: s.repoRoot,
        env: { ...cleanEnv(), ...s.env },
        stdio: ['ignore', fd, fd],
      })
    } finally {
      closeSync(fd)
    }
    this.child.on('error', () => {}) // spawn errors surface as 'exit' too
    return this.child
  }

  /** SIGTERM, then SIGKILL if the daemon has not exited after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.signalledAt = Date.now()
    this.child?.kill('SIGTERM')
    if (await settlesWithin(this.exited, STOP_GRACE_MS)) return
    this.forced = true
    this.child?.kill('SIGKILL')
    await settlesWithin(this.exited, STOP_GRACE_MS)
  }

  /** SIGKILL: a power loss. */
  async kill(): Promise<void> {
    if (!this.running) return
    this.signalledAt = Date.now()
    this.child?.kill('SIGKILL')
    await settlesWithin(this.exited, STOP_GRACE_MS)
  }

  /** The switch-side end of this host's cable (in the switch namespace). */
  get veth(): string {
    return this.setup.veth
  }

  /** Pulls this host's cable at the switch (the host sees its link go down). */
  async cutLink(): Promise<void> {
    await ip('-n', this.setup.switchNs, 'link', 'set', this.setup.veth, 'down')
  }

  async restoreLink(): Promise<void> {
    await ip('-n', this.setup.switchNs, 'link', 'set', this.setup.veth, 'up')
  }

  /** One HTTP request over the control socket; JSON in, JSON out (204/empty → undefined). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read any field of any answer and assert on it
  api<T = any>(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const reqHeaders: Record<string, string> = { host: 'localhost', accept: 'application/json', ...headers }
    if (payload) {
      reqHeaders['content-type'] = 'application/json'
      reqHeaders['content-length'] = String(payload.length)
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, method, path: urlPath, headers: reqHeaders }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks)) as T }))
      })
      req.setTimeout(API_TIMEOUT_MS, () => req.destroy(new Error(`${this.name}: ${method} ${urlPath} timed out`)))
      req.on('error', reject)
      req.end(payload)
    })
  }

  async status(): Promise<Status> {
    const res = await this.api<Status>('GET', '/api/v1/status')
    if (res.status !== 200) throw new Error(`${this.name}: status answered ${res.status}: ${JSON.stringify(res.body)}`)
    return res.body
  }

  /** A URL for a browser in the root namespace (forwarder started once, closed by the LAN). */
  async uiUrl(): Promise<string> {
    this.forwarder ??= UnixForwarder.start(this.socketPath)
    return (await this.forwarder).url
  }

  /** Runs a node script (TypeScript allowed) on this host, i.e. inside its namespace. */
  runScript(script: string, args: string[] = [], timeoutMs = 30_000): Promise<string> {
    return runInNs(this.ns, this.setup.repoRoot, script, args, timeoutMs)
  }

  /** Starts a node script on this host and leaves it running (killed at LAN destroy at the latest). */
  spawnScript(script: string, args: string[] = []): ChildProcess {
    return spawnInNs(this.ns, this.setup.repoRoot, script, args)
  }

  logTail(lines = 40): string {
    return tailFile(this.logPath, lines)
  }

  /** Closes the forwarder, if any. The LAN calls this on destroy. */
  async closeForwarder(): Promise<void> {
    const fwd = this.forwarder
    this.forwarder = undefined
    if (fwd) await (await fwd.catch(() => undefined))?.close()
  }
}

function parseBody(buf: Buffer): unknown {
  if (buf.length === 0) return undefined
  const text = buf.toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
