/**
 * The dialling side checks whom it reached, and a machine in the middle gets nowhere. A dial
 * pinned to one node id that reaches another machine is refused before a byte of the request
 * is sent; a server that cannot prove the network key on this session (none, another key, the
 * client's own proof echoed, a real proof recorded on another session) is no relay: dial
 * refuses it with LinkRefusedError and a request says member: false. A machine in the middle
 * that holds a certificate of its own and relays the client's proof to the real server over a
 * second TLS session is refused by the server: the sessions' exported keys differ.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import t, { type Test } from 'tap'
import { WebSocketServer } from 'ws'
import { PROOF_HEADER } from '../../../daemon/identity/index.js'
import { dial, LinkRefusedError, peerRequest } from '../../../daemon/link/index.js'
import {
  clientProof,
  codeOf,
  machine,
  messageOf,
  networkKey,
  peerServer,
  requestOn,
  silent,
  tlsTo,
  upgradeOn,
  type Machine,
} from '../../lib/peer-tls.js'

/** What `p` rejected with, or null when it resolved (a link it opened is closed). */
const refusal = (p: Promise<{ close?: () => void } | unknown>) =>
  p.then(
    (v) => {
      ;(v as { close?: () => void })?.close?.()
      return null
    },
    (e: unknown) => e,
  )

/** A member's peer port counting links and blob requests. */
async function member(t: Test, key = networkKey()) {
  const m = machine(key)
  const reached = { links: 0, blobs: 0 }
  const server = await peerServer(t, m, {
    onLink: (conn) => {
      reached.links++
      conn.close(1000, 'test')
    },
    blobs: async (_req, res) => {
      reached.blobs++
      res.writeHead(404).end()
    },
  })
  return { machine: m, port: server.port, key, reached }
}

/** An https server of `as` (its own certificate, asking for the client's), closed in teardown. */
async function httpsOf(t: Test, as: Machine): Promise<Server> {
  const server = createServer({ ...as.pem, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return server
}
const portOf = (server: Server) => (server.address() as AddressInfo).port

/**
 * A machine that accepts every link itself and answers its 101 with `proof(req)` as its proof
 * of the key (or none): it does not hold the network key.
 */
async function pretender(t: Test, proof: (socket: TLSSocket, clientSaid: string | undefined) => string | undefined) {
  const as = machine(null)
  const server = await httpsOf(t, as)
  const wss = new WebSocketServer({ noServer: true })
  let opened = 0
  wss.on('headers', (headers, req) => {
    const value = proof(req.socket as TLSSocket, req.headers[PROOF_HEADER] as string | undefined)
    if (value) headers.push(`${PROOF_HEADER}: ${value}`)
  })
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened++
      ws.on('error', () => undefined)
    }),
  )
  t.teardown(() => {
    for (const ws of wss.clients) ws.terminate()
    wss.close()
  })
  return { machine: as, port: portOf(server), opened: () => opened }
}

t.test('a dial to the relay named, holding the same key, opens a link whose peer is that machine', async (t) => {
  const relay = await member(t)
  const client = machine(relay.key)
  const conn = await dial(client.tls, '127.0.0.1', relay.port, relay.machine.identity.nodeId, silent)
  t.equal(conn.peer?.nodeId, relay.machine.identity.nodeId, 'the link knows its peer from the certificate')
  conn.close()
  t.equal(relay.reached.links, 1)
})

t.test('a dial pinned to machine X that reaches machine Y is refused before anything is sent', async (t) => {
  const y = await member(t) // a member with the very same key: only the pin stands in the way
  const client = machine(y.key)
  const x = machine(y.key).identity.nodeId
  const err = await refusal(dial(client.tls, '127.0.0.1', y.port, x, silent))
  t.ok(err instanceof LinkRefusedError, 'LinkRefusedError')
  t.match((err as Error).message, `is machine ${y.machine.identity.fingerprint}, not the ${x} we dialled`)
  const request = peerRequest(client.tls, { host: '127.0.0.1', port: y.port, expect: x }, 'GET', `/peer/v1/blobs/${'a'.repeat(64)}`, {
    timeoutMs: 2000,
  })
  t.ok((await refusal(request)) instanceof LinkRefusedError, 'a pinned request too')
  t.same(y.reached, { links: 0, blobs: 0 }, 'Y saw no request')
})

t.test('a relay holding another network key: the dial fails and no link opens', async (t) => {
  const relay = await member(t)
  const client = machine(networkKey())
  await t.rejects(dial(client.tls, '127.0.0.1', relay.port, relay.machine.identity.nodeId, silent))
  const answer = await peerRequest(client.tls, { host: '127.0.0.1', port: relay.port }, 'GET', '/peer/v1/advert', { timeoutMs: 2000 })
  answer.res.resume()
  t.equal(answer.res.statusCode, 200, 'its advert answers (it is public)')
  t.notOk(answer.member, 'but it is not a member of our network')
  t.equal(relay.reached.links, 0)
})

t.test('a machine that accepts the link but cannot prove the key is refused by the dialler', async (t) => {
  const key = networkKey()
  const client = machine(key)
  // A real proof, made by a real member on a session of its own with another member: recorded, replayed.
  const real = await member(t, key)
  const recorder = await tlsTo(real.port, machine(key))
  t.teardown(() => recorder.destroy())
  const recorded = (await requestOn(recorder, 'GET', '/peer/v1/advert', clientProof(key, recorder))).headers[PROOF_HEADER] as string
  t.ok(recorded, 'a real server proof was recorded')
  const cases: [string, (s: TLSSocket, clientSaid: string | undefined) => string | undefined][] = [
    ['no proof', () => undefined],
    ["the client's own proof echoed back", (_s, said) => said],
    ['a real server proof recorded on another session', () => recorded],
  ]
  for (const [what, proof] of cases) {
    const fake = await pretender(t, proof)
    const err = await refusal(dial(client.tls, '127.0.0.1', fake.port, fake.machine.identity.nodeId, silent))
    t.ok(err, `${what}: the dial is refused, no link`)
    t.ok(err instanceof LinkRefusedError, `${what}: with LinkRefusedError, saying it did not prove the key`)
    t.equal(fake.opened(), 1, `${what}: the pretender did accept the WebSocket; the dialler closed it`)
  }
})

t.test('a machine in the middle relaying proofs between two TLS sessions gets nowhere', async (t) => {
  const real = await member(t)
  const client = machine(real.key)
  const mitm = machine(null)
  const middle = await httpsOf(t, mitm)
  let relayed = 0
  // Everything the client says goes on to the real server over the middle's own session, proof included; answers come back as they are.
  middle.on('request', (req, res) => {
    relayed++
    void forward(req, res).catch(() => res.destroy())
  })
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const upstream = await tlsTo(real.port, mitm)
    const proof = req.headers[PROOF_HEADER]
    const answer = await requestOn(upstream, req.method!, req.url!, typeof proof === 'string' ? { [PROOF_HEADER]: proof } : {})
    upstream.destroy()
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    const back = answer.headers[PROOF_HEADER]
    if (typeof back === 'string') headers[PROOF_HEADER] = back
    res.writeHead(answer.status, headers).end(answer.body)
  }
  let upstreamRefusal = ''
  middle.on('upgrade', (req, socket) => {
    relayed++
    void forwardUpgrade(req, socket).catch(() => socket.destroy())
  })
  const forwardUpgrade = async (req: IncomingMessage, socket: Duplex) => {
    const upstream = await tlsTo(real.port, mitm)
    const proof = req.headers[PROOF_HEADER]
    const answer = await upgradeOn(upstream, typeof proof === 'string' ? { [PROOF_HEADER]: proof } : {})
    answer.ws?.close()
    upstream.destroy()
    upstreamRefusal = answer.body
    socket.end(
      `HTTP/1.1 ${answer.status} Relayed\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(answer.body)}\r\n\r\n${answer.body}`,
    )
  }

  const blob = await peerRequest(client.tls, { host: '127.0.0.1', port: portOf(middle) }, 'GET', `/peer/v1/blobs/${'a'.repeat(64)}`, {
    timeoutMs: 2000,
  })
  let body = ''
  for await (const chunk of blob.res) body += chunk
  t.equal(blob.res.statusCode, 403, 'the relayed blob request is refused by the real server')
  t.equal(codeOf(body), 'not_admitted')
  t.ok(messageOf(body).includes(mitm.identity.fingerprint), "naming the middle's machine, the one it can see")
  t.notOk(blob.member, 'and the client does not take the middle for a member')

  await t.rejects(dial(client.tls, '127.0.0.1', portOf(middle), mitm.identity.nodeId, silent), 'a relayed link is refused')
  t.equal(codeOf(upstreamRefusal), 'not_admitted', 'by the real server: the proof was made for the other session')
  t.same(real.reached, { links: 0, blobs: 0 }, 'nothing reached a handler of the real server')

  const before = relayed
  t.ok(
    (await refusal(dial(client.tls, '127.0.0.1', portOf(middle), real.machine.identity.nodeId, silent))) instanceof LinkRefusedError,
    'a dial pinned to the real relay refuses the middle at once',
  )
  t.equal(relayed, before, 'the middle was sent nothing')
})
