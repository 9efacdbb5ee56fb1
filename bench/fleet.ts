/** The parent side of the load generators: forks them, sends commands, waits for their reports. */
import { fork, type ChildProcess } from 'node:child_process'
import type { Cmd, Report, Target } from './loadgen-protocol.js'
import { cpuTicks, TICKS_PER_S } from './proc.js'

const LOADGEN = new URL('./loadgen.ts', import.meta.url).pathname

export class Loadgen {
  readonly #queue: Report[] = []
  readonly #waiters: ((r: Report) => void)[] = []
  readonly exited: Promise<void>

  constructor(
    readonly child: ChildProcess,
    readonly nofile?: number,
  ) {
    child.on('message', (r: Report) => {
      if (r.ev === 'error') console.error(`loadgen ${child.pid}: ${r.message}`)
      const w = this.#waiters.shift()
      if (w) w(r)
      else this.#queue.push(r)
    })
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
  }

  static spawn(maxMs: number): Loadgen {
    const child = fork(LOADGEN, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
      env: { ...process.env, LOADGEN_MAX_MS: String(maxMs) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    return new Loadgen(child)
  }

  send(cmd: Cmd): void {
    this.child.send(cmd)
  }

  /** The next report of kind `ev` (an `error` report rejects). */
  next<E extends Report['ev']>(ev: E, timeoutMs: number): Promise<Extract<Report, { ev: E }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load generator ${this.child.pid}: no ${ev} within ${timeoutMs} ms`)), timeoutMs)
      const take = (r: Report) => {
        clearTimeout(timer)
        if (r.ev === 'error') reject(new Error(r.message))
        else if (r.ev !== ev) reject(new Error(`load generator ${this.child.pid}: expected ${ev}, got ${r.ev}`))
        else resolve(r as Extract<Report, { ev: E }>)
      }
      const queued = this.#queue.shift()
      if (queued) take(queued)
      else this.#waiters.push(take)
    })
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.send({ cmd: 'exit' })
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(t)
  }
}

/** 127.0.0.2 .. 127.0.0.(1+n): spreads connections over source addresses (ephemeral ports). */
export function loopbackAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${2 + i}`)
}

/** `total` connections spread over `procs` load generators; resolves when all are up. */
export async function connectFleet(
  target: Target,
  total: number,
  procs: number,
  addresses: string[],
  timeoutMs: number,
  tolerant = false,
  /** Processes whose CPU while connecting is reported as `watchedCpuS` (the relay). */
  watch: number[] = [],
): Promise<{
  gens: Loadgen[]
  ms: number
  live: number
  failed: number
  firstError?: string
  watchedCpuS: number
  generatorsCpuS: number
}> {
  const gens = Array.from({ length: procs }, () => Loadgen.spawn(timeoutMs + 300_000))
  let start = performance.now()
  try {
    const per = Math.ceil(total / procs)
    // Machine identities (a key and a TLS context per link) are made before the clock starts:
    // they stand for machines that exist already. This also keeps the load generators' own
    // start-up out of the figure.
    for (const [i, g] of gens.entries()) g.send({ cmd: 'prepare', target, count: Math.min(per, total - per * i) })
    await Promise.all(gens.map((g) => g.next('prepared', 120_000)))
    const ticks = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0)
    const genPids = gens.map((g) => g.child.pid!)
    const ticksAtStart = { watched: ticks(watch), generators: ticks(genPids) }
    start = performance.now()
    for (const [i, g] of gens.entries()) g.send({ cmd: 'connect', target, count: Math.min(per, total - per * i), addresses })
    const counts = await Promise.all(gens.map((g) => g.next('connected', timeoutMs)))
    const ms = performance.now() - start
    const watchedCpuS = (ticks(watch) - ticksAtStart.watched) / TICKS_PER_S
    const generatorsCpuS = (ticks(genPids) - ticksAtStart.generators) / TICKS_PER_S
    const n = counts.reduce((a, c) => a + c.count, 0)
    const firstError = counts.find((c) => c.firstError)?.firstError
    if (n !== total && !tolerant) throw new Error(`${n} of ${total} connections came up; first failure: ${firstError}`)
    return { gens, ms, live: n, failed: total - n, watchedCpuS, generatorsCpuS, ...(firstError ? { firstError } : {}) }
  } catch (err) {
    await Promise.all(gens.map((g) => g.stop()))
    throw err
  }
}

export const stopAll = (gens: Loadgen[]) => Promise.all(gens.map((g) => g.stop()))
