/**
 * Every byte between daemons goes over TLS 1.3 with a certificate on both sides, and each side
 * checks the other twice:
 *
 * 1. **Which machine.** Each daemon presents a self-signed certificate for its machine key
 *    (identity/certificate.ts). Nobody vouches for it; what matters is the key, and TLS proves
 *    the peer holds it. The peer's node id is read from that key, never taken from what the
 *    peer says; a dialler that knows whom it wants (the relay named in an advert) pins it:
 *    another key answering there is refused before a byte of the request is sent.
 * 2. **Which network.** A member holds the network key and proves it with an HMAC bound to
 *    this very TLS session (identity/proof.ts), in a `sochat-proof` header of its first
 *    request; the accepting side answers with its own proof. Without the key a machine is a
 *    stranger: it may ask to join and read the public advert, nothing else (server.ts).
 *
 * Certificates are not verified against any CA (`rejectUnauthorized: false`): a self-signed
 * certificate has none, and `authorized` is never consulted. Connecting again resumes the
 * session where we hold a ticket from a pinned handshake with that very peer (sessions.ts says
 * why that is still the pinned machine); the proof is made again on every connection.
 */
import { connect, createSecureContext, type SecureContext, type TLSSocket, type TlsOptions } from 'node:tls'
import { PeerAgent } from './agent.js'
import { TicketStore } from './sessions.js'
import {
  checkNetworkProof,
  machineCertificate,
  proofOn,
  peerKeyOf,
  PROOF_HEADER,
  type MachineIdentity,
  type NetworkKey,
  type PeerKey,
} from '../identity/index.js'

export interface LinkKeys {
  identity: MachineIdentity
  /** The network key this machine holds now; null while it has none (alone, or asking to join). */
  networkKey: () => NetworkKey | null
}

/** Who is at the other end of an accepted socket. */
export interface PeerStanding {
  peer: PeerKey
  /** Proved the network key this machine holds, on this session. */
  member: boolean
}

export class LinkRefusedError extends Error {
  override name = 'LinkRefusedError'
}

export class PeerTls {
  #agent: PeerAgent | null = null
  readonly #context: SecureContext
  readonly #pem: { key: string; cert: string }
  /** Per accepted socket: its peer, and the key id it proved (a rekey makes it prove again). */
  readonly #accepted = new WeakMap<TLSSocket, { peer: PeerKey; provedKeyId: string | null }>()
  /** Per socket we opened: the machine at the other end (a resumed one shows no certificate). */
  readonly #opened = new WeakMap<TLSSocket, PeerKey>()
  readonly #tickets = new TicketStore()

  constructor(private readonly keys: LinkKeys) {
    const key = keys.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    this.#pem = { key, cert: machineCertificate(keys.identity) }
    // One context for every socket we open: building one per connection costs ~5 ms. (The
    // server builds its own from the PEMs once: a tls.Server takes no ready-made context.)
    this.#context = createSecureContext({ ...this.#pem, minVersion: 'TLSv1.3' })
  }

  /** Kept-alive connections for repeated small requests (agent.ts). */
  get agent(): PeerAgent {
    this.#agent ??= new PeerAgent((host, port, timeoutMs) => this.connect(host, port, timeoutMs))
    return this.#agent
  }

  /** Closes the kept-alive connections (the daemon is stopping). */
  close(): void {
    this.#agent?.destroy()
    this.#agent = null
  }

  get identity(): MachineIdentity {
    return this.keys.identity
  }

  networkKey(): NetworkKey | null {
    return this.keys.networkKey()
  }

  /** For the peer port's https server. */
  serverOptions(): TlsOptions {
    return { ...this.#pem, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false }
  }

  /**
   * Opens a TLS connection to a peer port and completes the handshake. With `expect` (a node
   * id), any other machine answering there is refused: the socket is closed, nothing sent.
   * Resumes the session when we hold a ticket for this address and expected peer.
   */
  connect(host: string, port: number, timeoutMs: number, expect?: string): Promise<{ socket: TLSSocket; peer: PeerKey }> {
    const slot = TicketStore.slot(host, port, expect)
    const ticket = this.#tickets.get(slot)
    return new Promise((resolve, reject) => {
      const socket = connect({
        host,
        port,
        secureContext: this.#context,
        minVersion: 'TLSv1.3',
        rejectUnauthorized: false,
        servername: '', // an IP: no SNI
        ...(ticket ? { session: ticket.session } : {}),
      })
      socket.setNoDelay(true) // link frames are small and latency counts
      const fail = (err: Error) => {
        clearTimeout(timer)
        socket.destroy()
        if (err instanceof LinkRefusedError) this.#tickets.forget(slot)
        reject(err)
      }
      const timer = setTimeout(() => fail(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)), timeoutMs)
      socket.once('error', fail)
      socket.once('secureConnect', () => {
        // Resumed: the machine whose pinned handshake issued the ticket (sessions.ts). Otherwise its certificate.
        const peer = ticket && socket.isSessionReused() ? ticket.peer : peerKeyOf(socket)
        if (!peer) return fail(new LinkRefusedError(`${host}:${port} presented no SO-CHAT machine key`))
        if (expect && peer.nodeId !== expect)
          return fail(new LinkRefusedError(`${host}:${port} is machine ${peer.fingerprint}, not the ${expect} we dialled`))
        clearTimeout(timer)
        socket.off('error', fail)
        this.#opened.set(socket, peer)
        // Tickets come after the handshake, so only ever from a peer that passed the pin above.
        socket.on('session', (session: Buffer) => this.#tickets.keep(slot, session, peer))
        resolve({ socket, peer })
      })
    })
  }

  /** The machine at the other end of a socket this PeerTls opened (null for any other socket). */
  peerOf(socket: TLSSocket): PeerKey | null {
    return this.#opened.get(socket) ?? null
  }

  /** Headers for a request on a socket we opened: our proof, when we hold a key. */
  proofHeaders(socket: TLSSocket): Record<string, string> {
    const key = this.keys.networkKey()
    const proof = key && proofOn(key, 'client', socket)
    return proof ? { [PROOF_HEADER]: proof } : {}
  }

  /** Whether the side we connected to proved our network key in its answer. */
  serverProved(socket: TLSSocket, headers: Record<string, string | string[] | undefined>): boolean {
    const key = this.keys.networkKey()
    return key !== null && checkNetworkProof(key, 'server', socket, headers[PROOF_HEADER])
  }

  /**
   * Who connected to us on this socket, and whether it proved the network key (in this
   * request's header, or an earlier request's on the same session). Null: no usable certificate.
   */
  standingOf(socket: TLSSocket, headers: Record<string, string | string[] | undefined>): PeerStanding | null {
    let known = this.#accepted.get(socket)
    if (!known) {
      const peer = peerKeyOf(socket)
      if (!peer) return null
      known = { peer, provedKeyId: null }
      this.#accepted.set(socket, known)
    }
    const key = this.keys.networkKey()
    if (key && known.provedKeyId !== key.id && checkNetworkProof(key, 'client', socket, headers[PROOF_HEADER])) known.provedKeyId = key.id
    return { peer: known.peer, member: key !== null && known.provedKeyId === key.id }
  }

  /** Our proof, for an answer to a member (strangers get none). */
  serverProofHeaders(socket: TLSSocket): Record<string, string> {
    const key = this.keys.networkKey()
    const proof = key && proofOn(key, 'server', socket)
    return proof ? { [PROOF_HEADER]: proof } : {}
  }
}
