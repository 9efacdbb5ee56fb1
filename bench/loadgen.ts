/**
 * A load-generator process (forked by fanout.ts and scale.ts, never the process under test).
 * It opens `count` connections of one kind — an SO-CHAT client link (hello, then entries), a
 * bare ws broadcast client, or an MQTT subscriber — counts every bench message each one gets,
 * and can publish. An SO-CHAT link to a build with encrypted links is what a daemon opens:
 * TLS 1.3 with a machine identity of its own per link (made by `prepare`, before the clock
 * starts), the network key's proof, and its node id in the hello; to an older build, plain ws
 * with a random node id (`--compare-build`). Commands and reports go over the IPC channel;
 * it exits by itself when the parent goes away or its time limit passes.
 */
import { randomBytes } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import WebSocket from 'ws'
import { PROTOCOL_VERSION, type EntryBody, type Signable } from '../shared/index.js'
import { signEntry } from '../daemon/accounts/index.js'
import type { NetworkKey } from '../daemon/identity/index.js'
import { HEARTBEAT_MS } from '../daemon/link/index.js'
import type { BenchAccount, Cmd, Report, Target } from './loadgen-protocol.js'
import { benchMachine, proofHeaders, readKeyFile, tlsConnect, type BenchMachine } from './machine.js'

const now = () => performance.timeOrigin + performance.now()
const send = (r: Report) => process.send!(r)
const MARK = Buffer.from('bench|')

interface Conn {
  count: number
  sum: number
  last: number
  lat: number[] | null
  write: (text: string) => void
  close: () => void
}

let phase = ''
let expect = 0
let latency = false
let pendingDone = 0
const conns: Conn[] = []
let echoes = 0
let acks = 0
let rejects = 0
let isSochat = false
let failed = 0
let firstError: string | undefined
/** Machine identities made by `prepare`, one per link to come (taken in order). */
const machines: BenchMachine[] = []
let networkKey: NetworkKey | null = null

/** Counts `bench|<phase>|<n>|<t>|` occurrences in one received frame. */
function onData(c: Conn, buf: Buffer, isPublisher: boolean): void {
  let i = buf.indexOf(MARK)
  while (i >= 0) {
    const head = buf.toString('latin1', i + MARK.length, i + MARK.length + 48).split('|')
    if (head[0] === phase) {
      c.count++
      c.sum += Number(head[1])
      c.last = now()
      if (c.lat) c.lat.push(c.last - Number(head[2]))
      if (isPublisher) echoes++
      else if (c.count === expect) {
        if (--pendingDone === 0) send({ ev: 'done' })
      }
    }
    i = buf.indexOf(MARK, i + MARK.length)
  }
}

function connectOne(t: Target, i: number, localAddress: string, isPublisher: boolean): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c: Conn = { count: 0, sum: 0, last: 0, lat: null, write: () => {}, close: () => {} }
    if (t.kind === 'mqtt') {
      const client: MqttClient = mqtt.connect({
        host: '127.0.0.1',
        port: t.port,
        clientId: `bench-${process.pid}-${i}`,
        reconnectPeriod: 0,
        keepalive: 60,
      })
      client.on('message', (_topic, payload) => onData(c, payload, isPublisher))
      client.once('error', reject)
      client.once('connect', () => client.subscribe('sochat/general', { qos: t.qos ?? 0 }, (err) => (err ? reject(err) : resolve(c))))
      c.write = (text) => void client.publish('sochat/general', text, { qos: t.qos ?? 0 })
      c.close = () => void client.end(true)
      return
    }
    const encrypted = t.kind === 'sochat' && t.keyFile !== undefined
    if (encrypted) {
      const machine = machines.shift() ?? benchMachine()
      tlsConnect(machine, '127.0.0.1', t.port, localAddress).then((socket) => {
        // ws opens no socket of its own: the upgrade goes over ours, with the proof for it.
        const ws = new WebSocket(`wss://127.0.0.1:${t.port}/peer/v1/link`, {
          perMessageDeflate: false,
          createConnection: () => socket,
          headers: proofHeaders(networkKey!, socket),
        })
        sochatLink(ws, c, t, i, machine.nodeId, isPublisher, resolve, reject)
      }, reject)
      return
    }
    const path = t.kind === 'sochat' ? '/peer/v1/link' : '/'
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}${path}`, { localAddress, perMessageDeflate: false })
    if (t.kind === 'ws') {
      c.close = () => ws.terminate()
      ws.once('error', reject)
      ws.once('close', (code: number, why: Buffer) => reject(new Error(`link ${i} closed before it was live (${code} ${why.toString()})`)))
      ws.on('message', (d: Buffer) => onData(c, d, isPublisher))
      ws.once('open', () => resolve(c))
      c.write = (text) => ws.send(text)
      return
    }
    // Before issue 13: any node id was taken at its word.
    sochatLink(ws, c, t as Extract<Target, { kind: 'sochat' }>, i, randomBytes(8).toString('hex'), isPublisher, resolve, reject)
  })
}

/** hello → welcome → live at the first roster; then counts entries and acks. */
function sochatLink(
  ws: WebSocket,
  c: Conn,
  t: Extract<Target, { kind: 'sochat' }>,
  i: number,
  nodeId: string,
  isPublisher: boolean,
  resolve: (c: Conn) => void,
  reject: (err: Error) => void,
): void {
  c.close = () => ws.terminate()
  ws.once('error', reject)
  ws.once('close', (code: number, why: Buffer) => reject(new Error(`link ${i} closed before it was live (${code} ${why.toString()})`)))
  const signed = signerFor(t.account)
  const submit = (body: EntryBody) => {
    const submission = { id: randomBytes(12).toString('base64url'), ts: Date.now(), origin: nodeId, body }
    ws.send(JSON.stringify({ type: 'submit', submission: signed(submission) }))
    return submission.id
  }
  let live = false
  let accountId: string | null = null
  ws.on('message', (d: Buffer) => {
    onData(c, d, isPublisher)
    // The relay sends rosters only to live links: the first one means catch-up is over.
    if (!live && d.includes('"type":"roster"')) {
      live = true
      // Its account first, and live once the relay has it: its ack is not one of the messages'.
      if (isPublisher && t.account) accountId = submit(t.account.created)
      else resolve(c)
    }
    if (accountId && d.includes('"type":"ack"') && d.includes(accountId)) {
      accountId = null
      resolve(c)
      return
    }
    if (isPublisher && d.includes('"type":"ack"')) acks += countOf(d, '"type":"ack"')
    if (isPublisher && d.includes('"type":"reject"')) rejects++
    if (d.includes('"type":"error"')) console.error(`loadgen: relay error ${d.toString().slice(0, 300)}`)
  })
  // Pings as a daemon's dialling end does (daemon/link/connection.ts): a relay that only
  // answers pings drops a link it hears nothing from for HEARTBEAT_MISSES periods; the period
  // is HEARTBEAT_MS until the relay's welcome or roster asks for another (link/heartbeat.ts).
  let periodMs = HEARTBEAT_MS
  let heartbeat = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), periodMs)
  heartbeat.unref()
  ws.on('message', (d: Buffer) => {
    const asked = HEARTBEAT_ASKED.exec(d.toString('latin1', 0, Math.min(d.length, 400)))
    if (!asked || Number(asked[1]) === periodMs) return
    periodMs = Number(asked[1])
    clearInterval(heartbeat)
    heartbeat = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), periodMs)
    heartbeat.unref()
  })
  ws.once('close', () => clearInterval(heartbeat))
  ws.once('open', () =>
    ws.send(
      JSON.stringify({
        type: 'hello',
        proto: t.proto ?? PROTOCOL_VERSION,
        network: 'default',
        nodeId,
        name: `lg-${process.pid}-${i}`,
        startedAt: Date.now() + 60_000,
        peerPort: 9,
        head: 0,
        checkpoints: [],
      }),
    ),
  )
  c.write = (text) => submit({ type: 'message.posted', room: 'general', author: t.account?.username ?? t.author ?? 'bench', text })
}

/** Signs as the bench account (protocol 5), or leaves a submission as it is (older builds). */
function signerFor(account: BenchAccount | undefined): <T extends Signable>(s: T) => T & { sig?: string } {
  if (!account) return (s) => s
  const secrets = { sign: Buffer.from(account.sign, 'base64url'), box: Buffer.from(account.box, 'base64url') }
  const keys = account.created.keys!
  return (s) => ({ ...s, sig: signEntry(s, secrets, keys) })
}

/** A welcome's or roster's `heartbeatMs`, which the relay's frames put among their first fields. */
const HEARTBEAT_ASKED = /^\{"type":"(?:welcome|roster)".*?"heartbeatMs":(\d+)/

function countOf(buf: Buffer, s: string): number {
  let n = 0
  for (let i = buf.indexOf(s); i >= 0; i = buf.indexOf(s, i + 1)) n++
  return n
}

function text(n: number): string {
  const t = `bench|${phase}|${n}|${now().toFixed(3)}|`
  return t + 'x'.repeat(Math.max(0, 200 - t.length)) // 200 bytes of text
}

async function publish(cmd: Extract<Cmd, { cmd: 'publish' }>): Promise<void> {
  const c = conns[0]!
  echoes = 0
  acks = 0
  rejects = 0
  const start = now()
  if (cmd.rate) {
    // Open loop: `rate` per second on a 10 ms tick, whatever the system under test does.
    let sent = 0
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(cmd.messages, Math.round(((now() - start) / 1000) * cmd.rate!))
        while (sent < due) c.write(text(sent++))
        if (sent >= cmd.messages) {
          clearInterval(timer)
          resolve()
        }
      }, 10)
    })
  } else {
    // Closed loop: at most `window` messages sent and not yet seen back on this connection.
    let sent = 0
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (sent < cmd.messages && sent - echoes < cmd.window) c.write(text(sent++))
        if (echoes >= cmd.messages) resolve()
        else setImmediate(pump)
      }
      pump()
    })
  }
  // SO-CHAT answers each submit after the fan-out: wait (bounded) for every ack or reject.
  for (let i = 0; i < 3000 && isSochat && acks + rejects < cmd.messages; i++) await new Promise((r) => setTimeout(r, 10))
  send({ ev: 'published', start, sent: cmd.messages, acks, rejects })
}

process.on('message', (cmd: Cmd) => {
  void (async () => {
    switch (cmd.cmd) {
      case 'prepare':
        if (cmd.target.kind === 'sochat' && cmd.target.keyFile) {
          networkKey = readKeyFile(cmd.target.keyFile)
          for (let i = 0; i < cmd.count; i++) machines.push(benchMachine())
        }
        send({ ev: 'prepared' })
        return
      case 'connect': {
        if (cmd.target.kind === 'sochat' && cmd.target.keyFile) networkKey ??= readKeyFile(cmd.target.keyFile)
        isSochat = cmd.target.kind === 'sochat'
        const start = now()
        const batch = 50
        for (let i = 0; i < cmd.count; i += batch) {
          const part = Array.from({ length: Math.min(batch, cmd.count - i) }, (_, j) =>
            connectOne(cmd.target, i + j, cmd.addresses[(i + j) % cmd.addresses.length]!, cmd.publisher === true),
          )
          for (const r of await Promise.allSettled(part)) {
            if (r.status === 'fulfilled') conns.push(r.value)
            else {
              failed++
              firstError ??= (r.reason as Error).message
            }
          }
        }
        send({ ev: 'connected', count: conns.length, ms: now() - start, failed, ...(firstError ? { firstError } : {}) })
        return
      }
      case 'expect':
        phase = cmd.phase
        expect = cmd.messages
        latency = cmd.latency
        pendingDone = conns.length
        for (const c of conns) {
          c.count = 0
          c.sum = 0
          c.last = 0
          c.lat = latency ? [] : null
        }
        send({ ev: 'ready' })
        return
      case 'publish':
        phase = cmd.phase
        for (const c of conns) {
          c.count = 0
          c.sum = 0
          c.lat = null
        }
        return publish(cmd)
      case 'report':
        send({
          ev: 'report',
          counts: conns.map((c) => c.count),
          sums: conns.map((c) => c.sum),
          last: conns.reduce((a, c) => Math.max(a, c.last), 0),
          lat: conns.flatMap((c) => c.lat ?? []),
        })
        return
      case 'exit':
        for (const c of conns) c.close()
        setTimeout(() => process.exit(0), 100)
    }
  })().catch((err: unknown) => {
    send({ ev: 'error', message: (err as Error).message })
    setTimeout(() => process.exit(1), 100)
  })
})
process.on('disconnect', () => process.exit(0))
setTimeout(() => process.exit(2), Number(process.env.LOADGEN_MAX_MS ?? 600_000)).unref()
