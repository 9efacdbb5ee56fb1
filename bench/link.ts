/**
 * Link set-up on loopback: N links opened one after another to one relay daemon process, each
 * timed from the TCP connect to the relay's welcome (a TLS build: TCP + TLS 1.3 handshake with
 * a machine certificate + the network key's proof + WebSocket upgrade + hello → welcome; a
 * build before issue 13: TCP + upgrade + hello → welcome), then closed. In the same run, as the
 * floor without TLS or SO-CHAT: the same loop over plain ws against a server that answers a
 * hello with a welcome-sized frame at once. For a TLS build also the TLS handshake alone and
 * an advert probe (`GET /peer/v1/advert` on a connection of its own, as discovery/probe.ts).
 * Every link must get its welcome (or no figure); machine identities are made before timing.
 */
import { generateKeyPairSync } from 'node:crypto'
import { probeOver } from '../daemon/discovery/index.js'
import { identityOf } from '../daemon/identity/index.js'
import { PeerTls } from '../daemon/link/index.js'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import WebSocket from 'ws'
import { PROTOCOL_VERSION } from '../shared/index.js'
import { startWsHello } from './baselines.js'
import { type Build, startBuildRelay } from './build.js'
import { benchMachine, proofHeaders, readKeyFile, tlsConnect, type BenchMachine } from './machine.js'
import { percentile, round, tempDir } from './proc.js'
import { randomBytes } from 'node:crypto'

export interface Timing {
  n: number
  p50: number
  p99: number
  mean: number
}

export interface LinkResult {
  links: number
  /** Link set-up to the relay daemon of the build. */
  relay: Timing
  /** Plain ws hello → welcome against a minimal server (no TLS, no SO-CHAT). */
  floor: Timing
  /** TLS builds only. */
  handshake?: Timing
  advert: Timing
  /** TLS builds only: the daemon's own probe (discovery/probe.ts) on its kept-alive connection. */
  advertKept?: Timing
}

const WARM_UP = 20
const TIMEOUT_MS = 10_000

function timing(ms: number[]): Timing {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length
  return { n: ms.length, p50: round(percentile(ms, 50), 2), p99: round(percentile(ms, 99), 2), mean: round(mean, 2) }
}

/** `n` runs of `once` one after another, after a warm-up, in ms. */
async function loop(n: number, once: (i: number) => Promise<void>): Promise<Timing> {
  for (let i = 0; i < WARM_UP; i++) await once(-1 - i)
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await once(i)
    ms.push(performance.now() - t)
  }
  return timing(ms)
}

/** Sends a hello on `ws` once open; resolves at the welcome, rejects at anything else first. */
function helloWelcome(ws: WebSocket, nodeId: string, proto = PROTOCOL_VERSION): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => ws.terminate(), TIMEOUT_MS)
    const done = (err?: Error) => {
      clearTimeout(timer)
      ws.removeAllListeners()
      ws.on('error', () => {}) // a late reset of a socket we close anyway
      ws.terminate()
      if (err) reject(err)
      else resolve()
    }
    ws.once('error', done)
    ws.once('close', (code: number, why: Buffer) => done(new Error(`closed before the welcome (${code} ${why.toString()})`)))
    ws.once('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          proto,
          network: 'default',
          nodeId,
          name: `link-bench-${nodeId.slice(0, 6)}`,
          startedAt: Date.now() + 60_000,
          peerPort: 9,
          head: 0,
          checkpoints: [],
        }),
      ),
    )
    ws.on('message', (d: Buffer) => {
      if (d.includes('"type":"welcome"')) done()
      else if (d.includes('"type":"error"')) done(new Error(`refused: ${d.toString().slice(0, 300)}`))
    })
  })
}

function drained(res: IncomingMessage, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.statusCode !== 200) reject(new Error(`${what} answered ${res.statusCode}`))
    res.resume()
    res.once('end', () => resolve())
    res.once('error', reject)
  })
}

export async function link(opts: { links: number; build: Build }): Promise<LinkResult> {
  const n = opts.links
  const floorServer = await startWsHello()
  let floor: Timing
  try {
    floor = await loop(n, () =>
      helloWelcome(new WebSocket(`ws://127.0.0.1:${floorServer.port}/`, { perMessageDeflate: false }), 'ffffffffffffffff'),
    )
  } finally {
    await floorServer.stop()
  }

  const tmp = tempDir('link')
  const { relay, target } = await startBuildRelay(opts.build, tmp.dir)
  const port = relay.peerPort
  try {
    if (!target.keyFile) {
      // Before issue 13: plain ws and HTTP, any node id taken at its word.
      const relayT = await loop(n, () =>
        helloWelcome(
          new WebSocket(`ws://127.0.0.1:${port}/peer/v1/link`, { perMessageDeflate: false }),
          randomBytes(8).toString('hex'),
          opts.build.proto,
        ),
      )
      const advert = await loop(
        n,
        () =>
          new Promise<void>((resolve, reject) =>
            httpRequest({ host: '127.0.0.1', port, path: '/peer/v1/advert', agent: false }, (res) =>
              drained(res, 'the advert').then(resolve, reject),
            )
              .on('error', reject)
              .end(),
          ),
      )
      return { links: n, relay: relayT, floor, advert }
    }
    const key = readKeyFile(target.keyFile)
    // One machine per link, as the relay counts each as the machine its certificate names.
    const machines: BenchMachine[] = Array.from({ length: n + WARM_UP }, () => benchMachine())
    const machineOf = (i: number) => machines[i < 0 ? n - 1 - i : i]!
    const relayT = await loop(n, async (i) => {
      const m = machineOf(i)
      const socket = await tlsConnect(m, '127.0.0.1', port, undefined, TIMEOUT_MS)
      const ws = new WebSocket(`wss://127.0.0.1:${port}/peer/v1/link`, {
        perMessageDeflate: false,
        createConnection: () => socket,
        headers: proofHeaders(key, socket),
      })
      await helloWelcome(ws, m.nodeId, opts.build.proto)
    })
    // A handshake and an advert probe do not link: one machine will do for all of them.
    const one = machines[0]!
    const handshake = await loop(n, async () => {
      const socket = await tlsConnect(one, '127.0.0.1', port, undefined, TIMEOUT_MS)
      socket.destroy()
    })
    const advert = await loop(n, async () => {
      const socket = await tlsConnect(one, '127.0.0.1', port, undefined, TIMEOUT_MS)
      await new Promise<void>((resolve, reject) =>
        httpsRequest(
          { host: '127.0.0.1', port, path: '/peer/v1/advert', createConnection: () => socket, headers: proofHeaders(key, socket) },
          (res) => drained(res, 'the advert').then(resolve, reject),
        )
          .on('error', reject)
          .end(),
      )
      socket.destroy()
    })
    // What the election really pays each tick: the daemon's probe, on its kept-alive connection.
    const prober = new PeerTls({ identity: identityOf(generateKeyPairSync('ed25519').privateKey), networkKey: () => key })
    const probe = probeOver(prober)
    const advertKept = await loop(n, async () => {
      const answer = await probe('127.0.0.1', port, TIMEOUT_MS)
      if (!answer.ok || !answer.member) throw new Error(`the probe failed: ${answer.ok ? 'not a member' : answer.problem}`)
    })
    prober.close()
    return { links: n, relay: relayT, floor, handshake, advert, advertKept }
  } finally {
    await relay.stop()
    tmp.remove()
  }
}
