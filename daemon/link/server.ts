/**
 * The peer port: TLS 1.3 only (front.ts turns plain HTTP away), a certificate from every
 * client (tls.ts), and then by who is asking:
 *
 *   anyone with a machine key   GET  /peer/v1/advert   what mDNS says anyway (role, term, head)
 *                               POST /peer/v1/join     ask to join (admission/)
 *   members only                the link WebSocket, GET|HEAD|PUT /peer/v1/blobs/<sha256>,
 *                               POST /peer/v1/rekey (a machine was removed: the new key)
 *
 * A member is a machine that proved the network key on this TLS session; anyone else gets
 * 403 `not_admitted` with its own fingerprint, so a person can compare it with the Network
 * panel. Before any of that, `refusal` (guards.ts) turns away web pages and names as Host.
 * Listens on every address of the machine (0.0.0.0) unless told otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo, Server, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { MAX_FRAME_BYTES, type Advert, type ErrorCode } from '../../shared/index.js'
import { PeerConnection } from './connection.js'
import { frontDoor } from './front.js'
import { refusal } from './guards.js'
import { listenWithFallback, PEER_BACKLOG } from './listen.js'
import { RefusalLog } from './refusal-log.js'
import { remoteIp } from './remote.js'
import type { PeerStanding, PeerTls } from './tls.js'

export interface PeerServerOptions {
  host: string
  port: number
  /** Try up to this many following ports when `port` is taken. */
  portAttempts: number
  tls: PeerTls
  advert: () => Advert
  /** A member opened a link. */
  onLink: (conn: PeerConnection) => void
  /** `GET|HEAD|PUT /peer/v1/blobs/<sha256>` from a member (daemon/files/transfer.ts). */
  blobs: (req: IncomingMessage, res: ServerResponse, sha256: string) => Promise<void>
  /** `POST /peer/v1/join` from any machine (admission/). */
  join: (req: IncomingMessage, res: ServerResponse, standing: PeerStanding) => Promise<void>
  /** `POST /peer/v1/rekey` from a member: a machine was removed, here is the new key (admission/removal.ts). */
  rekey: (req: IncomingMessage, res: ServerResponse, standing: PeerStanding) => Promise<void>
  /** Something knocked without the key (or with an older protocol): the Network panel lists who. */
  onRefused?: (refused: { ip: string; code: ErrorCode; peer: PeerStanding['peer'] | null }) => void
  log: Logger
}

export class PeerServer {
  readonly #front: Server
  readonly #https: HttpsServer
  readonly #wss: WebSocketServer
  readonly #refusals: RefusalLog
  /** Every connection on the port, to end at close: kept-alive ones would otherwise hold it for seconds. */
  readonly #sockets = new Set<Socket>()

  private constructor(private readonly opts: PeerServerOptions) {
    this.#refusals = new RefusalLog(opts.log)
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
    // Our proof goes back in the 101 answer, to members only (the upgrade was checked first).
    this.#wss.on('headers', (headers, req) => {
      for (const [name, value] of Object.entries(opts.tls.serverProofHeaders(req.socket as TLSSocket))) headers.push(`${name}: ${value}`)
    })
    this.#https = createHttpsServer(opts.tls.serverOptions(), (req, res) => this.onRequest(req, res))
    this.#https.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head))
    // A handshake that failed or was given up (a probe that timed out, a scanner, a machine
    // without a certificate): logged once per address, not as a refusal of a known machine.
    this.#https.on('tlsClientError', (err, socket) =>
      this.#refusals.note({ remote: remoteIp(socket) || 'unknown', code: 'tls_handshake', why: `TLS handshake failed: ${err.message}` }),
    )
    // Slow or idle clients must not pin sockets: headers come at once, and a request that
    // stops moving for 30 s is dropped. A whole request may take long: files are large.
    this.#https.headersTimeout = 5000
    this.#https.requestTimeout = 0
    this.#https.on('secureConnection', (socket) => socket.setTimeout(30_000, () => socket.destroy()))
    this.#front = frontDoor(this.#https, (socket, method, url) => {
      const ip = remoteIp(socket)
      this.#refusals.note({ remote: ip, code: 'update_required', method, url, why: 'plain HTTP: an older SO-CHAT, which must be updated' })
      opts.onRefused?.({ ip, code: 'update_required', peer: null })
    })
    this.#front.on('connection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
  }

  static async listen(opts: PeerServerOptions): Promise<PeerServer> {
    const server = new PeerServer(opts)
    await listenWithFallback(server.#front, opts.host, opts.port, opts.portAttempts, PEER_BACKLOG)
    return server
  }

  get port(): number {
    return (this.#front.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate()
    this.#wss.close()
    this.#https.closeAllConnections()
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#front.close(() => resolve()))
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const standing = this.admit(req, true)
    if ('code' in standing) {
      // A plain HTTP answer: the WebSocket fails, and the socket goes once it is sent.
      const body = JSON.stringify({ error: standing })
      socket.once('finish', () => socket.destroy())
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      )
      return
    }
    if (req.url !== '/peer/v1/link') return void socket.destroy()
    socket.setTimeout(0) // the link has heartbeats of its own
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`
      const log = this.opts.log.child({ link: remote, peer: standing.peer.fingerprint })
      // The dialling side pings; this one answers (connection.ts, Heartbeat).
      this.opts.onLink(new PeerConnection(ws, remote, log, remoteIp(req.socket), standing.peer, 'answers'))
    })
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? ''
    const open = (req.method === 'GET' && url === '/peer/v1/advert') || (req.method === 'POST' && url === '/peer/v1/join')
    const standing = this.admit(req, !open)
    if ('code' in standing) {
      res.writeHead(403, { 'content-type': 'application/json', connection: 'close' })
      res.end(JSON.stringify({ error: standing }))
      return
    }
    if (standing.member)
      for (const [name, value] of Object.entries(this.opts.tls.serverProofHeaders(req.socket as TLSSocket))) res.setHeader(name, value)
    if (req.method === 'GET' && url === '/peer/v1/advert') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(this.opts.advert()))
      return
    }
    if (req.method === 'POST' && url === '/peer/v1/join')
      return this.handle(res, this.opts.join(req, res, standing), 'answering a request to join')
    if (req.method === 'POST' && url === '/peer/v1/rekey')
      return this.handle(res, this.opts.rekey(req, res, standing), 'taking a new network key')
    const blob = /^\/peer\/v1\/blobs\/([^/?]+)$/.exec(url)
    if (blob && ['GET', 'HEAD', 'PUT'].includes(req.method ?? ''))
      return this.handle(res, this.opts.blobs(req, res, blob[1]!), 'serving a file to a peer')
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'Unknown peer endpoint.' } }))
  }

  private handle(res: ServerResponse, running: Promise<void>, what: string): void {
    running.catch((err: unknown) => {
      this.opts.log.error({ err }, `${what} failed`)
      res.destroy()
    })
  }

  /** Who asks, or why they are refused: a browser or a name as Host, no machine key, or (when `membersOnly`) no network key. */
  private admit(req: IncomingMessage, membersOnly: boolean): PeerStanding | { code: ErrorCode; message: string } {
    const remote = remoteIp(req.socket)
    const context = { remote, method: req.method, url: req.url, host: req.headers.host, origin: req.headers.origin }
    const refused = refusal(req.headers)
    if (refused) {
      this.#refusals.note({ ...context, code: refused.code, why: 'a web page or a name instead of an IP' })
      return refused
    }
    const standing = this.opts.tls.standingOf(req.socket as TLSSocket, req.headers)
    if (!standing) return { code: 'not_admitted', message: 'The peer port only answers SO-CHAT machines (no machine key was presented).' }
    if (!membersOnly || standing.member) return standing
    this.#refusals.note({ ...context, code: 'not_admitted', peer: standing.peer.fingerprint, why: 'no proof of the network key' })
    this.opts.onRefused?.({ ip: remote, code: 'not_admitted', peer: standing.peer })
    return {
      code: 'not_admitted',
      message: `Machine ${standing.peer.fingerprint} is not a member of this network. Start it with the network's key file (--network-key-file), or ask to join and have a person let it in from the Network panel.`,
    }
  }
}
