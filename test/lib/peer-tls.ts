/**
 * Machines for tests of the peer port: a fresh Ed25519 identity, its PeerTls, and the network
 * key it holds (or none), plus raw TLS pieces for attacks (a client certificate or none, a
 * request or a WebSocket upgrade on a socket the test holds, so proofs can be captured,
 * replayed and relayed). Loopback only.
 */
import { generateKeyPairSync } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { request } from 'node:https'
import { connect, type TLSSocket } from 'node:tls'
import pino from 'pino'
import WebSocket from 'ws'
import { PeerServer, PeerTls, type PeerStanding } from '../../daemon/link/index.js'
import {
  NetworkKey,
  identityOf,
  machineCertificate,
  networkProof,
  PROOF_HEADER,
  type MachineIdentity,
} from '../../daemon/identity/index.js'
import type { PeerServerOptions } from '../../daemon/link/server.js'
import type { Advert } from '../../shared/index.js'

export interface Machine {
  identity: MachineIdentity
  tls: PeerTls
  /** The key it holds now; `hold` changes it (as admission does). */
  key: () => NetworkKey | null
  hold: (key: NetworkKey | null) => void
  /** Its certificate and private key as PEM, for a raw TLS socket. */
  pem: { key: string; cert: string }
}

export const networkKey = (): NetworkKey => NetworkKey.generate()

/** A new machine holding `key` (none by default). */
export function machine(key: NetworkKey | null = null): Machine {
  const identity = identityOf(generateKeyPairSync('ed25519').privateKey)
  let held = key
  return {
    identity,
    tls: new PeerTls({ identity, networkKey: () => held }),
    key: () => held,
    hold: (k) => {
      held = k
    },
    pem: { key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: machineCertificate(identity) },
  }
}

export const silent = pino({ level: 'silent' })

export const advertOf = (identity: MachineIdentity, over: Partial<Advert> = {}): Advert => ({
  proto: 1,
  network: 'default',
  nodeId: identity.nodeId,
  name: 'peer',
  role: 'electing',
  term: 0,
  head: 0,
  startedAt: 1,
  peerPort: 47801,
  relayId: null,
  ...over,
})

type Teardown = { teardown: (fn: () => unknown) => void }

/** A PeerServer on 127.0.0.1 for `server`, closed in teardown; handlers default to "not found" / refuse. */
export async function peerServer(t: Teardown, server: Machine, opts: Partial<Omit<PeerServerOptions, 'tls'>> = {}): Promise<PeerServer> {
  const listening = await PeerServer.listen({
    host: '127.0.0.1',
    port: 0,
    portAttempts: 1,
    log: silent,
    advert: () => advertOf(server.identity),
    onLink: (conn) => conn.close(1000, 'test'),
    blobs: async (_req, res) => void res.writeHead(404).end(),
    join: async (_req, res, _standing: PeerStanding) => void res.writeHead(409).end(),
    rekey: async (_req, res, _standing: PeerStanding) => void res.writeHead(404).end(),
    ...opts,
    tls: server.tls,
  })
  t.teardown(() => listening.close())
  return listening
}

/**
 * A raw TLS 1.3 connection to 127.0.0.1:port, presenting `as`'s certificate (or none when
 * null), not checking the server's. Resolves once the handshake is done.
 */
export function tlsTo(port: number, as: Machine | null, opts: { localAddress?: string } = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      servername: '',
      ...(as ? as.pem : {}),
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    })
    socket.once('error', reject)
    socket.once('secureConnect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
  })
}

/** The client proof `key` gives on this socket. */
export const clientProof = (key: NetworkKey, socket: TLSSocket) => ({ [PROOF_HEADER]: networkProof(key, 'client', socket) })

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** One HTTPS request on a socket the test holds (kept open for another unless the server closes it). */
export function requestOn(
  socket: TLSSocket,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        path,
        host: '127.0.0.1',
        port: socket.remotePort,
        createConnection: () => socket,
        headers: { host: `127.0.0.1:${socket.remotePort}`, ...headers },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Opens the link WebSocket on a socket the test holds: 101 and the open socket, or the refusal. */
export function upgradeOn(
  socket: TLSSocket,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    let upgraded: IncomingHttpHeaders = {}
    const ws = new WebSocket(`wss://127.0.0.1:${socket.remotePort}/peer/v1/link`, { createConnection: () => socket, headers })
    ws.once('upgrade', (res) => {
      upgraded = res.headers
    })
    ws.once('open', () => resolve({ status: 101, body: '', headers: upgraded, ws }))
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    ws.once('error', reject)
  })
}

export const codeOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error.code
export const messageOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error.message
