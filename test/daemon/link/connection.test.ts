/**
 * How a peer link's end is told apart (daemon/link/connection.ts): closed by the other side
 * (its process died and its kernel sent FIN/RST, or it sent a close frame) or dropped here
 * because the other side fell silent (missed heartbeats). The coordinator elects at once after
 * the first and gives every replica a moment to notice the second (roles/coordinator.ts).
 */
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import t, { type Test } from 'tap'
import WebSocket, { WebSocketServer } from 'ws'
import { PeerConnection, type Heartbeat } from '../../../daemon/link/connection.js'
import { HEARTBEAT_MISSES, HEARTBEAT_MS } from '../../../daemon/link/heartbeat.js'

/** A link on loopback: our PeerConnection (the dialling end by default), and the other side's raw socket. */
async function link(t: Test, heartbeats: Heartbeat = 'pings'): Promise<{ conn: PeerConnection; other: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  t.teardown(() => new Promise<void>((r) => wss.close(() => r())))
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const otherSide = new Promise<WebSocket>((r) => wss.once('connection', r))
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`)
  await new Promise<void>((r, j) => ws.once('open', () => r()).once('error', j))
  const conn = new PeerConnection(ws, 'relay', pino({ level: 'silent' }), '', null, heartbeats)
  t.teardown(() => conn.terminate())
  return { conn, other: await otherSide }
}

const closed = (conn: PeerConnection) => new Promise<number>((r) => conn.once('close', (code) => r(code)))

t.test('a link whose other side died (its socket destroyed) closes at once, and not as silent', async (t) => {
  const { conn, other } = await link(t)
  const end = closed(conn)
  // What the kernel does to a SIGKILLed process's sockets: no close frame, just the TCP end.
  ;(other as unknown as { _socket: { destroy(): void } })._socket.destroy()
  t.equal(await end, 1006, 'closed abnormally, no close frame')
  t.equal(conn.silent, false, 'the other side ended it: no heartbeat was missed')
  t.equal(conn.open, false)
})

t.test('a link closed with a close frame is not silent either', async (t) => {
  const { conn, other } = await link(t)
  const end = closed(conn)
  other.close(1001, 'going away')
  t.equal(await end, 1001)
  t.equal(conn.silent, false)
})

t.test('a link whose other side stopped answering is dropped after missed heartbeats, as silent', async (t) => {
  const { conn, other } = await link(t)
  // The other side keeps its socket but reads nothing: our pings go unanswered (a partition).
  ;(other as unknown as { _socket: { pause(): void } })._socket.pause()
  const end = closed(conn)
  const realNow = Date.now
  Date.now = () => realNow() + HEARTBEAT_MS * HEARTBEAT_MISSES + 1
  try {
    ;(conn as unknown as { heartbeat(): void }).heartbeat()
  } finally {
    Date.now = realNow
  }
  t.equal(await end, 1006)
  t.equal(conn.silent, true, 'dropped here for silence')
})

t.test('a link that still answers is not dropped by a heartbeat', async (t) => {
  const { conn } = await link(t)
  ;(conn as unknown as { heartbeat(): void }).heartbeat()
  t.equal(conn.open, true, 'its last pong is recent: a ping is sent, nothing dropped')
  t.equal(conn.silent, false)
})

/** Runs one heartbeat with the clock moved `ms` ahead. */
function heartbeatAfter(conn: PeerConnection, ms: number): void {
  const realNow = Date.now
  Date.now = () => realNow() + ms
  try {
    ;(conn as unknown as { heartbeat(): void }).heartbeat()
  } finally {
    Date.now = realNow
  }
}

t.test('the answering end (the relay) sends no pings of its own', async (t) => {
  const { conn, other } = await link(t, 'answers')
  let pinged = 0
  other.on('ping', () => pinged++)
  ;(conn as unknown as { heartbeat(): void }).heartbeat()
  // A ping of ours would arrive before the other side's own ping comes back as a pong.
  await new Promise<void>((r) => {
    other.once('pong', () => r())
    other.ping()
  })
  t.equal(pinged, 0, 'no ping reached the other side')
  t.equal(conn.open, true)
})

/** Runs `during` with the clock `ms` ahead, as if that much time had passed since the link opened. */
async function later<T>(ms: number, during: () => Promise<T>): Promise<T> {
  const realNow = Date.now
  Date.now = () => realNow() + ms
  try {
    return await during()
  } finally {
    Date.now = realNow
  }
}

const SILENCE = HEARTBEAT_MS * HEARTBEAT_MISSES

t.test("the answering end counts the other side's pings as heard, and drops it once they stop", async (t) => {
  const { conn, other } = await link(t, 'answers')
  // A ping arrives 5 s after the link opened; 6 s of silence after the opening is then not enough to drop it.
  await later(5000, () => new Promise<void>((r) => other.once('pong', () => r()).ping()))
  heartbeatAfter(conn, 5000 + SILENCE - 200)
  t.equal(conn.open, true, 'heard 5 s in: kept')
  const end = closed(conn)
  heartbeatAfter(conn, 5000 + SILENCE + 1)
  t.equal(await end, 1006)
  t.equal(conn.silent, true, 'dropped here for silence')
})

t.test('a frame counts as heard too', async (t) => {
  const { conn, other } = await link(t, 'answers')
  await later(5000, async () => {
    const heard = new Promise<void>((r) => conn.once('frame', () => r()))
    other.send(JSON.stringify({ type: 'typing', room: 'general', username: 'alice', on: true }))
    await heard
  })
  heartbeatAfter(conn, 5000 + SILENCE - 200)
  t.equal(conn.open, true, 'heard 5 s in: kept')
})

t.test('a longer period from the relay: silence is judged on it, at both ends', async (t) => {
  for (const end of ['pings', 'answers'] as const) {
    const { conn } = await link(t, end)
    conn.setHeartbeat(10_000)
    heartbeatAfter(conn, 10_000 * HEARTBEAT_MISSES - 200)
    t.equal(conn.open, true, `${end}: 29.8 s of silence is within three 10 s periods`)
    const gone = closed(conn)
    heartbeatAfter(conn, 10_000 * HEARTBEAT_MISSES + 1)
    t.equal(await gone, 1006, `${end}: dropped after three periods`)
    t.equal(conn.silent, true)
  }
})

t.test('a shorter period: a ping sent at the old pace is not counted as missed until the next change', async (t) => {
  const { conn } = await link(t, 'answers')
  conn.setHeartbeat(10_000)
  conn.setHeartbeat(HEARTBEAT_MS)
  heartbeatAfter(conn, 10_000 * HEARTBEAT_MISSES - 200)
  t.equal(conn.open, true, 'the other end may not have the new period yet')
  conn.setHeartbeat(HEARTBEAT_MS)
  const gone = closed(conn)
  heartbeatAfter(conn, SILENCE + 1)
  t.equal(await gone, 1006, 'told again: three short periods')
})
