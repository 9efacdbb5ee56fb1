/**
 * Relay fan-out: N subscriber connections in load-generator processes and one publisher
 * connection, against the SO-CHAT relay (a real daemon process, client links speaking the link
 * protocol) and, with the same load generators, a bare ws broadcast server and Mosquitto (QoS
 * 0 and 1). Saturation: a closed loop of `window` 200-byte messages in flight (sent, not yet
 * back at the publisher); delivered/s = messages × N / (first send .. last delivery), the median
 * of `rounds` timed rounds after an untimed one on the same links (one round alone moved ±25 %
 * from run to run). Latency: an open loop at a fixed rate, send time in the text, measured at
 * every subscriber.
 * Every subscriber must get every message exactly once (count and checksum) or no figure.
 */
import type { Target } from './loadgen-protocol.js'
import { connectFleet, Loadgen, loopbackAddresses, stopAll } from './fleet.js'
import { mosquittoAvailable, startMosquitto, startWsBatched, startWsBroadcast, type Server } from './baselines.js'
import { type Build, startBuildRelay } from './build.js'
import { benchAccount } from './accounts.js'
import { percentile, round, signUp, tempDir } from './proc.js'

export interface FanoutRun {
  system: string
  clients: number
  messages: number
  /** The median round's. */
  deliveredPerS: number
  /** Timed rounds, and the slowest and the fastest one's figure. */
  rounds: number
  spread: [number, number]
  latency?: { rate: number; messages: number; p50: number; p99: number; max: number }
}

export interface FanoutOptions {
  clients: number[]
  messages: (clients: number) => number
  window: number
  /** Timed saturation rounds, after an untimed one. */
  rounds: number
  rate: number
  rateSeconds: number
  /** Latency at the fixed rate is measured at this client count only. */
  latencyClients: number
  build: Build
  /** Also run the ws and Mosquitto baselines (not again for a second build). */
  baselines: boolean
}

type System = { name: string; start: () => Promise<Server & { target: Target }> }

const sochat = (build: Build): System => ({
  name: 'SO-CHAT relay',
  start: async () => {
    const tmp = tempDir('fanout')
    // Signed entries (protocol 5): the publisher makes the account on its link and signs as it.
    const account = build.proto >= 5 ? benchAccount('bench') : undefined
    const { relay: d, target } = await startBuildRelay(build, tmp.dir, { nofile: true, author: 'bench', ...(account ? { account } : {}) })
    if (!account) await signUp(d.ui, 'bench')
    return {
      pid: d.pid,
      port: d.peerPort,
      target,
      stop: async () => {
        await d.stop()
        tmp.remove()
      },
    }
  },
})
const wsBase: System = {
  name: 'bare ws broadcast',
  start: async () => {
    const s = await startWsBroadcast()
    return { ...s, target: { kind: 'ws', port: s.port } }
  },
}
const wsBatched: System = {
  name: 'bare ws broadcast, batched per turn',
  start: async () => {
    const s = await startWsBatched()
    return { ...s, target: { kind: 'ws', port: s.port } }
  },
}
const mqttQos = (qos: 0 | 1): System => ({
  name: `Mosquitto QoS ${qos}`,
  start: async () => {
    const s = await startMosquitto()
    return { ...s, target: { kind: 'mqtt', port: s.port, qos } }
  },
})

/** One phase: every subscriber must count `messages` with the right checksum. */
async function phase(
  subs: Loadgen[],
  pub: Loadgen,
  clients: number,
  p: { name: string; messages: number; window: number; rate?: number; latency: boolean; timeoutMs: number },
) {
  for (const g of subs) g.send({ cmd: 'expect', phase: p.name, messages: p.messages, latency: p.latency })
  await Promise.all(subs.map((g) => g.next('ready', 10_000)))
  pub.send({ cmd: 'publish', phase: p.name, messages: p.messages, window: p.window, ...(p.rate ? { rate: p.rate } : {}) })
  const done = Promise.all(subs.map((g) => g.next('done', p.timeoutMs)))
  const published = await pub.next('published', p.timeoutMs)
  const doneErr = await done.then(
    () => null,
    (e: Error) => e,
  )
  for (const g of subs) g.send({ cmd: 'report' })
  const reports = await Promise.all(subs.map((g) => g.next('report', 30_000)))
  const counts = reports.flatMap((r) => r.counts)
  const sums = reports.flatMap((r) => r.sums)
  const want = (p.messages * (p.messages - 1)) / 2
  const short = counts.filter((c) => c !== p.messages).length
  const bad = sums.filter((s) => s !== want).length
  if (doneErr || short || bad || counts.length !== clients || published.rejects) {
    const got = counts.reduce((a, b) => a + b, 0)
    throw new Error(
      `${p.name}: ${got} of ${p.messages * clients} deliveries counted; ${short} subscribers short, ${bad} with a wrong checksum, ${published.rejects} rejected${doneErr ? ` (${doneErr.message})` : ''} — no figure is reported`,
    )
  }
  const last = Math.max(...reports.map((r) => r.last))
  return { seconds: (last - published.start) / 1000, lat: reports.flatMap((r) => r.lat), acks: published.acks }
}

async function runOne(system: System, clients: number, o: FanoutOptions): Promise<FanoutRun> {
  const server = await system.start()
  const gens: Loadgen[] = []
  try {
    const procs = clients >= 500 ? 4 : 2
    const { gens: subs } = await connectFleet(server.target, clients, procs, loopbackAddresses(8), 180_000)
    gens.push(...subs)
    const pub = Loadgen.spawn(600_000)
    gens.push(pub)
    pub.send({ cmd: 'connect', target: server.target, count: 1, addresses: ['127.0.0.1'], publisher: true })
    await pub.next('connected', 30_000)
    const messages = o.messages(clients)
    // An untimed round first, for every system: the first traffic on fresh links pays for
    // buffers, compiled code and TLS state, and how much of that a system paid before (a
    // roster sent at join) is not what this measures.
    const rates: number[] = []
    for (let round = 0; round <= o.rounds; round++) {
      const sat = await phase(subs, pub, clients, {
        name: `sat${clients}-${round}`,
        messages,
        window: o.window,
        latency: false,
        timeoutMs: 300_000,
      })
      if (server.target.kind === 'sochat' && sat.acks !== messages) throw new Error(`${messages} submitted, ${sat.acks} acknowledged`)
      if (round > 0) rates.push(Math.round((messages * clients) / sat.seconds))
    }
    rates.sort((a, b) => a - b)
    const run: FanoutRun = {
      system: system.name,
      clients,
      messages,
      deliveredPerS: percentile(rates, 50),
      rounds: rates.length,
      spread: [rates[0] ?? 0, rates[rates.length - 1] ?? 0],
    }
    if (clients === o.latencyClients) {
      const n = o.rate * o.rateSeconds
      const r = await phase(subs, pub, clients, {
        name: `rate${clients}`,
        messages: n,
        window: n,
        rate: o.rate,
        latency: true,
        timeoutMs: o.rateSeconds * 1000 + 120_000,
      })
      run.latency = {
        rate: o.rate,
        messages: n,
        p50: round(percentile(r.lat, 50), 1),
        p99: round(percentile(r.lat, 99), 1),
        max: round(
          r.lat.reduce((a, b) => Math.max(a, b), 0),
          1,
        ),
      }
    }
    return run
  } finally {
    await stopAll(gens)
    await server.stop()
  }
}

export async function fanout(o: FanoutOptions, log: (line: string) => void): Promise<{ runs: FanoutRun[]; notes: string[] }> {
  const notes: string[] = []
  const systems = [sochat(o.build)]
  const noMosquitto = mosquittoAvailable()
  if (o.baselines) {
    systems.push(wsBase, wsBatched)
    if (noMosquitto) notes.push(`${noMosquitto}: the Mosquitto baselines were skipped.`)
    else systems.push(mqttQos(0), mqttQos(1))
  }
  const runs: FanoutRun[] = []
  for (const clients of o.clients) {
    for (const s of systems) {
      try {
        const r = await runOne(s, clients, o)
        runs.push(r)
        log(
          `fan-out ${s.name}, ${clients} clients: ${r.deliveredPerS} delivered/s` +
            (r.latency ? `; at ${r.latency.rate} msg/s p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms` : ''),
        )
      } catch (err) {
        // A baseline failing is a note; SO-CHAT failing is the finding.
        const line = `${s.name}, ${clients} clients: ${(err as Error).message}`
        notes.push(line)
        log(`fan-out FAILED ${line}`)
      }
    }
  }
  return { runs, notes }
}
