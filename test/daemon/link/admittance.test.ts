/**
 * Who the peer port lets in. Plain HTTP (an SO-CHAT from before encrypted links, or anyone
 * curious) gets 426 update_required and nothing else. Over TLS a machine must show a
 * certificate; then the advert and asking to join are open to it, but the link and files
 * only to a member: a machine that proved the network key with a proof bound to this very TLS
 * session. No proof, a proof made with another key, a proof recorded on another session, or
 * the server's own proof sent back: 403 not_admitted, naming the machine's fingerprint.
 */
import { connect as tcp } from 'node:net'
import { request } from 'node:http'
import t, { type Test } from 'tap'
import WebSocket from 'ws'
import { checkNetworkProof, networkProof, PROOF_HEADER } from '../../../daemon/identity/index.js'
import { UPDATE_MESSAGE } from '../../../daemon/link/index.js'
import {
  clientProof,
  codeOf,
  machine,
  messageOf,
  networkKey,
  peerServer,
  requestOn,
  tlsTo,
  upgradeOn,
  type Machine,
} from '../../lib/peer-tls.js'

const SHA = 'b'.repeat(64)

/** A member's peer port that counts what reaches its handlers and who it refused. */
async function memberPort(t: Test) {
  const key = networkKey()
  const server = machine(key)
  const reached = { links: 0, blobs: 0, adverts: 0, joins: 0 }
  const refused: { code: string; peer: string | null }[] = []
  const listening = await peerServer(t, server, {
    advert: () => {
      reached.adverts++
      return {
        proto: 1,
        network: 'default',
        nodeId: server.identity.nodeId,
        name: 'server',
        role: 'relay',
        term: 3,
        head: 7,
        startedAt: 1,
        peerPort: 1,
        relayId: server.identity.nodeId,
      }
    },
    onLink: (conn) => {
      reached.links++
      conn.close(1000, 'test')
    },
    blobs: async (_req, res) => {
      reached.blobs++
      res.writeHead(404).end()
    },
    join: async (_req, res) => {
      reached.joins++
      res.writeHead(202).end('{}')
    },
    onRefused: (r) => refused.push({ code: r.code, peer: r.peer?.fingerprint ?? null }),
  })
  return { port: listening.port, key, server, reached, refused }
}

/** Link, blob GET and blob PUT from `as` with these extra headers (a fresh TLS session each, so `headers` may be a function of it). */
async function membersOnly(port: number, as: Machine | null, headers: (socket: import('node:tls').TLSSocket) => Record<string, string>) {
  const answers = []
  for (const what of ['link', 'GET', 'PUT'] as const) {
    const socket = await tlsTo(port, as)
    const res: { status: number; body: string; ws?: WebSocket } =
      what === 'link'
        ? await upgradeOn(socket, headers(socket))
        : await requestOn(
            socket,
            what,
            `/peer/v1/blobs/${SHA}`,
            { ...headers(socket), 'content-length': '3' },
            what === 'PUT' ? 'abc' : undefined,
          )
    res.ws?.close()
    socket.destroy()
    answers.push({ what, status: res.status, code: res.body ? codeOf(res.body) : null, message: res.body ? messageOf(res.body) : '' })
  }
  return answers
}

t.test('plain HTTP gets 426 update_required and nothing else: no advert, no link', async (t) => {
  const { port, reached, refused } = await memberPort(t)
  const plain = await new Promise<{ status: number; body: string; upgrade?: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/peer/v1/advert' }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body, upgrade: res.headers.upgrade }))
    })
      .on('error', reject)
      .end()
  })
  t.equal(plain.status, 426)
  t.equal(codeOf(plain.body), 'update_required')
  t.equal(messageOf(plain.body), UPDATE_MESSAGE, 'saying what to do')
  t.notMatch(plain.body, /nodeId|relayId|"head"/, 'no advert in the answer')

  const ws = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/peer/v1/link`)
    socket.once('open', () => reject(new Error('a plain WebSocket opened a link')))
    socket.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    socket.once('error', reject)
  })
  t.equal(ws.status, 426, 'a plain WebSocket upgrade: 426 too')
  t.equal(ws.body, UPDATE_MESSAGE)

  // A hello frame written straight at the port, no HTTP at all: whatever comes back, no advert, no link.
  const raw = await new Promise<string>((resolve) => {
    let out = ''
    const socket = tcp(port, '127.0.0.1', () => socket.write('{"type":"hello","nodeId":"0123456789abcdef"}\r\n\r\n'))
    socket.setEncoding('utf8').on('data', (d: string) => (out += d))
    socket.on('close', () => resolve(out))
    socket.on('error', () => undefined)
  })
  t.notMatch(raw, /nodeId|relayId|welcome/, 'a bare hello is answered with nothing of the relay')
  t.same(reached, { links: 0, blobs: 0, adverts: 0, joins: 0 }, 'no handler ran')
  t.match(refused, [{ code: 'update_required', peer: null }], 'the Network panel hears an old SO-CHAT knocked')
})

t.test('TLS without a client certificate is refused everywhere: no link, no blob, no advert', async (t) => {
  const { port, reached } = await memberPort(t)
  for (const a of await membersOnly(port, null, () => ({}))) {
    t.equal(a.status, 403, a.what)
    t.equal(a.code, 'not_admitted', a.what)
    t.match(a.message, /no machine key/, a.what)
  }
  const socket = await tlsTo(port, null)
  t.teardown(() => socket.destroy())
  t.equal((await requestOn(socket, 'GET', '/peer/v1/advert')).status, 403, 'not even the advert')
  t.same(reached, { links: 0, blobs: 0, adverts: 0, joins: 0 })
})

t.test('a certificate but no proof: 403 not_admitted naming its fingerprint; the advert answers, without a proof', async (t) => {
  const { port, reached, refused } = await memberPort(t)
  const stranger = machine(null)
  for (const a of await membersOnly(port, stranger, () => ({}))) {
    t.equal(a.status, 403, a.what)
    t.equal(a.code, 'not_admitted', a.what)
    t.ok(a.message.includes(stranger.identity.fingerprint), `${a.what}: the message names ${stranger.identity.fingerprint}`)
  }
  t.same(reached, { links: 0, blobs: 0, adverts: 0, joins: 0 }, 'neither the link nor the blob handler ran')
  t.ok(
    refused.every((r) => r.code === 'not_admitted' && r.peer === stranger.identity.fingerprint) && refused.length === 3,
    'each refusal is told to the Network panel with its fingerprint',
  )

  const socket = await tlsTo(port, stranger)
  t.teardown(() => socket.destroy())
  const advert = await requestOn(socket, 'GET', '/peer/v1/advert')
  t.equal(advert.status, 200, 'the advert is public (mDNS says as much)')
  t.equal(advert.headers[PROOF_HEADER], undefined, 'but carries no proof of the key for a stranger')
  const again = await tlsTo(port, stranger)
  t.teardown(() => again.destroy())
  const join = await requestOn(again, 'POST', '/peer/v1/join', { 'content-type': 'application/json' }, '{}')
  t.equal(join.status, 202, 'and it may ask to join')
})

t.test("a member's proof opens everything, and the server proves the key back", async (t) => {
  const { port, key, reached } = await memberPort(t)
  const member = machine(key)
  const answers = await membersOnly(port, member, (s) => clientProof(key, s))
  t.same(
    answers.map((a) => a.status),
    [101, 404, 404],
    'the link opens, the blob handler answers',
  )
  t.same(reached, { links: 1, blobs: 2, adverts: 0, joins: 0 })
  const socket = await tlsTo(port, member)
  t.teardown(() => socket.destroy())
  const advert = await requestOn(socket, 'GET', '/peer/v1/advert', clientProof(key, socket))
  t.ok(checkNetworkProof(key, 'server', socket, advert.headers[PROOF_HEADER]), "the server's proof checks on this session")
})

t.test('a proof made with another network key is refused', async (t) => {
  const { port, reached } = await memberPort(t)
  const other = networkKey()
  const outsider = machine(other)
  for (const a of await membersOnly(port, outsider, (s) => clientProof(other, s))) {
    t.equal(a.status, 403, a.what)
    t.equal(a.code, 'not_admitted', a.what)
    t.ok(a.message.includes(outsider.identity.fingerprint), a.what)
  }
  t.same(reached, { links: 0, blobs: 0, adverts: 0, joins: 0 })
})

t.test('a proof recorded on one TLS session and replayed on another is refused', async (t) => {
  const { port, key, reached } = await memberPort(t)
  const member = machine(key)
  const first = await tlsTo(port, member)
  t.teardown(() => first.destroy())
  const captured = clientProof(key, first)
  t.equal((await requestOn(first, 'GET', `/peer/v1/blobs/${SHA}`, captured)).status, 404, 'good on the session it was made for')
  for (const replayer of [machine(null), member]) {
    const who = replayer === member ? 'by the same machine on a new session' : 'by another machine'
    for (const a of await membersOnly(port, replayer, () => captured)) {
      t.equal(a.status, 403, `${a.what} ${who}`)
      t.equal(a.code, 'not_admitted', `${a.what} ${who}`)
    }
  }
  t.same(reached, { links: 0, blobs: 1, adverts: 0, joins: 0 }, 'only the first request reached a handler')
})

t.test("the server's own proof sent back as a client's is refused (the role byte)", async (t) => {
  const { port, key, reached } = await memberPort(t)
  const reflector = machine(null)
  const reflected = (s: import('node:tls').TLSSocket) => ({ [PROOF_HEADER]: networkProof(key, 'server', s) })
  for (const a of await membersOnly(port, reflector, reflected)) {
    t.equal(a.status, 403, a.what)
    t.equal(a.code, 'not_admitted', a.what)
  }
  t.same(reached, { links: 0, blobs: 0, adverts: 0, joins: 0 })
})

t.test('a proof header that is not a proof is refused, not an error', async (t) => {
  const { port, reached } = await memberPort(t)
  const junk = ['', 'x', 'A'.repeat(43), 'A'.repeat(10_000), '!!!!']
  for (const value of junk) {
    const [link] = await membersOnly(port, machine(null), () => ({ [PROOF_HEADER]: value }))
    t.equal(link?.code, 'not_admitted', `${JSON.stringify(value.slice(0, 12))} (${value.length} chars)`)
  }
  t.equal(reached.links, 0)
})
