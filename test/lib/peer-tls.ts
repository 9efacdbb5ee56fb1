/**
 * Machines for tests of the peer port: a fresh Ed25519 identity, its PeerTls, and the network
 * key it holds (or none), plus raw TLS pieces for attacks (a client certificate or none, a
 * request or a WebSocket upgrade on a socket the test holds, so proofs can be captured,
 * replayed and relayed). Loopback only.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import type { IncomingHttpHeaders } from 'node:http'
import { request } from 'node:https'
import { connect, type TLSSocket } from 'node:tls'
import pino from 'pino'
import WebSocket from 'ws'
import { Admission, answerRekey, RemovedList } from '../../daemon/admission/index.js'
import { PeerServer, PeerTls, peerRequest, readText, remoteIp, type PeerStanding } from '../../daemon/link/index.js'
import {
  NetworkKey,
  identityOf,
  machineCertificate,
  networkProof,
  PROOF_HEADER,
  type MachineIdentity,
  type PeerKey,
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
    pem: pemOf(identity),
  }
}

const pemOf = (identity: MachineIdentity) => ({
  key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  cert: machineCertificate(identity),
})

/** A new machine whose network key is whatever `key()` answers now (an Admission's, as daemon.ts wires it); it has no `hold`. */
export function machineKeyedBy(key: () => NetworkKey | null): Machine {
  const identity = identityOf(generateKeyPairSync('ed25519').privateKey)
  return {
    identity,
    tls: new PeerTls({ identity, networkKey: key }),
    key,
    hold: () => {
      throw new Error('this machine’s key follows its Admission')
    },
    pem: pemOf(identity),
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

/** A machine as daemon.ts wires it: an Admission keeping its key (in `dataDir`) behind a real PeerServer answering join and rekey. */
export interface AdmittingMachine extends Machine {
  admission: Admission
  server: PeerServer
  dataDir: string
  /** How removal.ts and newcomer.ts address it. */
  at: { host: string; port: number; peer: PeerKey }
  /** Requests its join and rekey handlers were called for. */
  calls: { join: number; rekey: number }
}

export async function admittingMachine(
  t: Teardown,
  dataDir: string,
  key: NetworkKey | null,
  opts: { open?: boolean; network?: string } = {},
): Promise<AdmittingMachine> {
  await mkdir(dataDir, { recursive: true })
  let admission: Admission | null = null
  const m = machineKeyedBy(() => admission?.key() ?? null)
  admission = new Admission({
    dataDir,
    identity: m.identity,
    network: opts.network ?? 'default',
    key,
    open: opts.open ?? false,
    removed: await RemovedList.load(dataDir),
    log: silent,
  })
  const held = admission
  const calls = { join: 0, rekey: 0 }
  const server = await peerServer(t, m, {
    join: (req, res, standing) => {
      calls.join++
      return held.answerJoin(req, res, standing, remoteIp(req.socket))
    },
    rekey: (req, res, standing) => {
      calls.rekey++
      return answerRekey(held, req, res, standing)
    },
  })
  return { ...m, admission: held, server, dataDir, calls, at: { host: '127.0.0.1', port: server.port, peer: peerKeyOfMachine(m) } }
}

/** What another machine learns of `m` over TLS: its public key and names, nothing private. */
export const peerKeyOfMachine = (m: Machine): PeerKey => {
  const { publicKey, sha256, nodeId, fingerprint } = m.identity
  return { publicKey, sha256, nodeId, fingerprint }
}

/** One request to 127.0.0.1:port as `as` (its PeerTls, with its proof when it holds a key): the status and the JSON answer. */
export async function peerCall(
  as: Machine,
  port: number,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whichever fields the answer has
): Promise<{ status: number; body: any }> {
  const { res } = await peerRequest(as.tls, { host: '127.0.0.1', port }, method, path, {
    timeoutMs: 3000,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await readText(res)
  return { status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }
}

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
