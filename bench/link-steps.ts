/**
 * Where a link set-up's time goes, step by step, seen from the connecting side (run alone:
 * `npm run build && npx tsx bench/link-steps.ts [links]`; the `link` scenario gives the totals):
 *
 *   tls        TCP connect + TLS 1.3 handshake, Ed25519 machine certificates both ways, until
 *              the client's `secureConnect` (the relay has not yet checked our certificate flight)
 *   upgrade    the upgrade request with our proof → the relay's 101 with its proof: the relay
 *              finishes the handshake (our certificate, its session tickets), reads our key,
 *              checks the proof (identity/proof.ts), answers
 *   open       101 → WebSocket open (our check of the relay's proof)
 *   welcome    hello → welcome (the relay's handshake with its log, its signed statement)
 *
 * In the same run, the floor of TLS itself on this machine: a bare `node:tls` server with the
 * relay's TLS options and an Ed25519 machine certificate, the client presenting one too, one
 * 200-byte request and a welcome-sized answer: no HTTP, no WebSocket, no proof, no SO-CHAT.
 * Each link is a new machine (a first connection: no session to resume), as in `link`.
 */
import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:tls'
import WebSocket from 'ws'
import { identityOf, machineCertificate } from '../daemon/identity/index.js'
import { PROTOCOL_VERSION } from '../shared/index.js'
import { CURRENT, startBuildRelay } from './build.js'
import { type BenchMachine, benchMachine, proofHeaders, readKeyFile, tlsConnect } from './machine.js'
import { percentile, tempDir } from './proc.js'

const WARM_UP = 20
type Steps = Record<string, number[]>

function add(steps: Steps, i: number, marks: [string, number, number][]): void {
  if (i < WARM_UP) return
  for (const [name, from, to] of marks) {
    steps[name] ??= []
    steps[name].push(to - from)
  }
}

/** One link to the relay: TLS, upgrade with the proof, hello → welcome, with each step's end time. */
async function linkSteps(m: BenchMachine, port: number, key: ReturnType<typeof readKeyFile>) {
  const t0 = performance.now()
  const socket = await tlsConnect(m, '127.0.0.1', port)
  const t1 = performance.now()
  const marks = { upgrade: 0, open: 0 }
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/peer/v1/link`, {
      perMessageDeflate: false,
      createConnection: () => socket,
      headers: proofHeaders(key, socket),
    })
    ws.once('upgrade', () => {
      marks.upgrade = performance.now()
    })
    ws.once('open', () => {
      marks.open = performance.now()
      const hello = {
        type: 'hello',
        proto: PROTOCOL_VERSION,
        network: 'default',
        nodeId: m.nodeId,
        name: 'steps',
        startedAt: Date.now() + 60_000,
      }
      ws.send(JSON.stringify({ ...hello, peerPort: 9, head: 0, checkpoints: [] }))
    })
    ws.on('message', (d: Buffer) => {
      if (d.includes('"type":"welcome"')) resolve()
      else if (d.includes('"type":"error"')) reject(new Error(`refused: ${d.toString().slice(0, 300)}`))
      else return
      ws.terminate()
    })
    ws.once('error', reject)
  })
  const t4 = performance.now()
  return [t0, t1, marks.upgrade, marks.open, t4] as const
}

/** The floor: a bare TLS server answering one small request (see the top comment). */
async function bareTls(machines: BenchMachine[], steps: Steps): Promise<void> {
  const id = identityOf(generateKeyPairSync('ed25519').privateKey)
  const key = id.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const opts = { key, cert: machineCertificate(id), minVersion: 'TLSv1.3' as const, requestCert: true, rejectUnauthorized: false }
  const server = createServer(opts, (s) => {
    s.setNoDelay(true)
    s.once('data', () => s.write('x'.repeat(700)))
    s.on('error', () => {}) // the client destroys its end at once
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  for (const [i, m] of machines.entries()) {
    const t0 = performance.now()
    const socket = await tlsConnect(m, '127.0.0.1', port)
    const t1 = performance.now()
    await new Promise<void>((r) => {
      socket.once('data', () => r())
      socket.write('y'.repeat(200))
    })
    socket.destroy()
    add(steps, i, [
      ['floor: bare TLS handshake', t0, t1],
      ['floor: bare TLS handshake + one round trip', t0, performance.now()],
    ])
  }
  server.close()
}

const n = Number(process.argv[2] ?? 200)
const machines = Array.from({ length: n + WARM_UP }, () => benchMachine())
const steps: Steps = {}
const tmp = tempDir('link-steps')
const { relay, target } = await startBuildRelay(CURRENT, tmp.dir)
try {
  const key = readKeyFile(target.keyFile!)
  for (const [i, m] of machines.entries()) {
    const [t0, t1, t2, t3, t4] = await linkSteps(m, relay.peerPort, key)
    add(steps, i, [
      ['tls', t0, t1],
      ['upgrade + proofs → 101', t1, t2],
      ['101 → open', t2, t3],
      ['hello → welcome', t3, t4],
      ['whole link', t0, t4],
    ])
  }
} finally {
  await relay.stop()
  tmp.remove()
}
await bareTls(machines, steps)
for (const [name, ms] of Object.entries(steps)) {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length
  console.log(`${name.padEnd(44)} p50 ${percentile(ms, 50).toFixed(2)} ms  mean ${mean.toFixed(2)} ms`)
}
