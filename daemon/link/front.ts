/**
 * The peer port's front door: the first byte of each connection says what it is. A TLS
 * ClientHello starts with 0x16 (a handshake record) and goes to the https server; anything
 * else is plain HTTP from an SO-CHAT older than encrypted links (or a curious neighbour), and
 * is answered `426 update_required` in plain words and closed, so the older daemon's log says
 * what to do instead of a TLS alert it cannot read. Nothing else is ever served in the clear.
 *
 * The byte is read, put back (`unshift`) and the socket handed over as a new connection of
 * the chosen server, the way httpolyglot does; TLS then reads the ClientHello from the start.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'

const TLS_HANDSHAKE_RECORD = 0x16
/** A connection that says nothing within this long is dropped. */
const FIRST_BYTE_MS = 10_000

export const UPDATE_MESSAGE =
  'This SO-CHAT only talks to other machines over encrypted, authenticated links. Update SO-CHAT on this machine to join the network.'

export function frontDoor(
  tlsServer: Server,
  onPlain: (socket: Socket, method: string | undefined, url: string | undefined) => void,
): Server {
  const plain: HttpServer = createHttpServer((req, res) => {
    onPlain(req.socket, req.method, req.url)
    const body = JSON.stringify({ error: { code: 'update_required', message: UPDATE_MESSAGE } })
    res.writeHead(426, { 'content-type': 'application/json', connection: 'close', upgrade: 'TLS/1.3' })
    res.end(body)
  })
  plain.headersTimeout = 5000
  plain.on('upgrade', (req, socket) => {
    onPlain(req.socket, req.method, req.url)
    socket.end(
      `HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(UPDATE_MESSAGE)}\r\n\r\n${UPDATE_MESSAGE}`,
    )
  })
  return createNetServer((socket) => {
    socket.setTimeout(FIRST_BYTE_MS, () => socket.destroy())
    socket.once('data', (chunk) => {
      socket.pause()
      socket.unshift(chunk)
      socket.setTimeout(0)
      const to = chunk[0] === TLS_HANDSHAKE_RECORD ? tlsServer : plain
      to.emit('connection', socket)
      process.nextTick(() => socket.resume())
    })
    socket.on('error', () => socket.destroy()) // a reset before the first byte: nothing to tell anyone
  })
}
