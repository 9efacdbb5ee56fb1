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
import { HEARTBEAT_MISSES, HEARTBEAT_MS, PeerConnection } from '../../../daemon/link/connection.js'

/** A link on loopback: our PeerConnection, and the other side's raw socket. */
async function link(t: Test): Promise<{ conn: PeerConnection; other: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  t.teardown(() => new Promise<void>((r) => wss.close(() => r())))
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const otherSide = new Promise<WebSocket>((r) => wss.once('connection', r))
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`)
  await new Promise<void>((r, j) => ws.once('open', () => r()).once('error', j))
  const conn = new PeerConnection(ws, 'relay', pino({ level: 'silent' }))
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
