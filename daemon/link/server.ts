/**
 * The peer port: `GET /peer/v1/advert` and the link WebSocket. Listens on every address of
 * the machine (0.0.0.0) unless told otherwise, since neighbours reach it over the LAN; every
 * request and upgrade passes `refusal` (guards.ts) first, so web pages cannot use it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { MAX_FRAME_BYTES, type Advert } from '../../shared/index.js'
import { PeerConnection } from './connection.js'
import { remoteIp } from './remote.js'
import { refusal, type Refusal } from './guards.js'

/** Addresses already warned about; a page retrying in a loop must not fill the log. */
const WARNED_LIMIT = 256

export interface PeerServerOptions {
  host: string
  port: number
  /** Try up to this many following ports when `port` is taken. */
  portAttempts: number
  advert: () => Advert
  onLink: (conn: PeerConnection) => void
  /** `GET|HEAD|PUT /peer/v1/blobs/<sha256>`: shared files' bytes (daemon/files/transfer.ts). */
  blobs: (req: IncomingMessage, res: ServerResponse, sha256: string) => Promise<void>
  log: Logger
}

export class PeerServer {
  #http: Server
  #wss: WebSocketServer
  readonly #warned = new Set<string>()

  private constructor(private readonly opts: PeerServerOptions) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
    this.#http = createServer((req, res) => this.onRequest(req, res))
    this.#http.on('upgrade', (req, socket, head) => {
      const refused = refusal(req.headers)
      if (refused) {
        this.logRefusal(req, refused)
        // A plain HTTP answer: the browser's WebSocket fails, and the socket goes once it is sent.
        const body = JSON.stringify({ error: refused })
        socket.once('finish', () => socket.destroy())
        socket.end(
          `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        )
        return
      }
      if (req.url !== '/peer/v1/link') return socket.destroy()
      ;(socket as Socket).setTimeout(0) // the link has heartbeats of its own
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`
        opts.onLink(new PeerConnection(ws, remote, opts.log.child({ link: remote }), remoteIp(req.socket)))
      })
    })
    // Slow or idle clients must not pin sockets: headers come at once, and a request that
    // stops moving for 30 s is dropped. A whole request may take long: files are large.
    this.#http.headersTimeout = 5000
    this.#http.requestTimeout = 0
    this.#http.on('connection', (socket) => socket.setTimeout(30_000, () => socket.destroy()))
  }

  static async listen(opts: PeerServerOptions): Promise<PeerServer> {
    const server = new PeerServer(opts)
    await listenWithFallback(server.#http, opts.host, opts.port, opts.portAttempts)
    return server
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate()
    this.#wss.close()
    await new Promise<void>((resolve) => this.#http.close(() => resolve()))
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const refused = refusal(req.headers)
    if (refused) {
      this.logRefusal(req, refused)
      res.writeHead(403, { 'content-type': 'application/json', connection: 'close' })
      res.end(JSON.stringify({ error: refused }))
      return
    }
    if (req.method === 'GET' && req.url === '/peer/v1/advert') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(this.opts.advert()))
      return
    }
    const blob = /^\/peer\/v1\/blobs\/([^/?]+)$/.exec(req.url ?? '')
    if (blob && ['GET', 'HEAD', 'PUT'].includes(req.method ?? '')) {
      this.opts.blobs(req, res, blob[1]!).catch((err: unknown) => {
        this.opts.log.error({ err }, 'serving a file to a peer failed')
        res.destroy()
      })
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'Unknown peer endpoint.' } }))
  }

  /** Warns once per remote address (a browser retries), then only at debug level. */
  private logRefusal(req: IncomingMessage, refused: Refusal): void {
    const remote = req.socket.remoteAddress ?? 'unknown'
    const fields = {
      remote,
      code: refused.code,
      method: req.method,
      url: req.url?.slice(0, 200),
      host: req.headers.host?.slice(0, 100),
      origin: req.headers.origin?.slice(0, 100),
    }
    if (this.#warned.has(remote)) return this.opts.log.debug(fields, 'refused a request on the peer port')
    if (this.#warned.size >= WARNED_LIMIT) this.#warned.clear()
    this.#warned.add(remote)
    this.opts.log.warn(fields, 'refused a request on the peer port (a web page or a name instead of an IP)')
  }
}

/**
 * Listens on `port`, or the next free one: two users on one machine must both be able to run
 * SO-CHAT (a fixed port is a known trap of LAN messengers).
 */
export async function listenWithFallback(server: Server, host: string, port: number, attempts: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port === 0 ? 0 : port + i, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      return
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EADDRINUSE' || port === 0 || i + 1 >= attempts) {
        throw new Error(
          `Cannot listen on ${host}:${port}${attempts > 1 ? `-${port + attempts - 1}` : ''} (${code}). ` +
            'Choose another port with --ui-port / --peer-port.',
          { cause: err },
        )
      }
    }
  }
}
