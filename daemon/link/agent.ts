/**
 * Kept-alive TLS connections to peers, for the requests a daemon repeats every few seconds
 * (the election's advert probes): a full TLS 1.3 handshake with certificates both ways costs
 * ~7 ms and CPU on both sides each time; a request on a connection already open costs ~1 ms.
 * One connection per peer address, closed after 10 s unused.
 *
 * Connections are made by PeerTls.connect (our certificate, TLS 1.3, the peer's key read
 * from its certificate); the caller (request.ts) still checks the pin and adds the proof
 * per request, and the peer proves the key in every answer.
 */
import { Agent, type AgentOptions } from 'node:https'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'

/** PeerTls.connect: TLS up, the peer's key read. */
export type PeerConnect = (host: string, port: number, timeoutMs: number) => Promise<{ socket: TLSSocket }>

const IDLE_MS = 10_000
const CONNECT_TIMEOUT_MS = 3000

export class PeerAgent extends Agent {
  constructor(private readonly connect: PeerConnect) {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: IDLE_MS, scheduling: 'lifo' } as AgentOptions)
  }

  /** The asynchronous form Node's Agent accepts: the socket is handed over once TLS is up. */
  override createConnection(
    options: { host?: string; port?: number | string },
    done: (err: Error | null, socket?: Duplex) => void,
  ): undefined {
    this.connect(options.host ?? '', Number(options.port), CONNECT_TIMEOUT_MS).then(
      ({ socket }) => {
        socket.unref() // an idle kept-alive connection must not keep a process (or a test) running
        done(null, socket)
      },
      (err: Error) => done(err),
    )
    return undefined
  }
}
