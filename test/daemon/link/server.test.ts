/**
 * The peer port refuses the web: a request or WebSocket upgrade that carries an Origin (every
 * browser's cross-origin fetch and WebSocket does) or names the machine by anything but an IP
 * in Host (a DNS-rebound page does) gets 403 and never reaches the link or the blob handler,
 * even from a machine that holds the network key and proves it over TLS. A daemon's own
 * requests (no Origin, Host an IP literal) still get through.
 */
import t, { type Test } from 'tap'
import { probeOver } from '../../../daemon/discovery/index.js'
import { peerRequest } from '../../../daemon/link/index.js'
import {
  advertOf,
  clientProof,
  codeOf,
  machine,
  networkKey,
  peerServer as listen,
  requestOn,
  tlsTo,
  upgradeOn,
  type Machine,
} from '../../lib/peer-tls.js'

const SHA = 'a'.repeat(64)

/** A member's peer server on 127.0.0.1 that counts what reaches its handlers, and a member to call it. */
async function peerServer(t: Test) {
  const key = networkKey()
  const server = machine(key)
  const reached = { links: 0, blobs: 0, adverts: 0 }
  const listening = await listen(t, server, {
    advert: () => {
      reached.adverts++
      return advertOf(server.identity)
    },
    onLink: (conn) => {
      reached.links++
      conn.close(1000, 'test')
    },
    blobs: async (_req, res) => {
      reached.blobs++
      res.writeHead(404).end()
    },
  })
  return { port: listening.port, reached, member: machine(key) }
}

/** A request from `as` on a TLS session of its own, with its proof of the network key. */
async function get(port: number, as: Machine, path: string, headers: Record<string, string>) {
  const socket = await tlsTo(port, as)
  try {
    return await requestOn(socket, 'GET', path, { ...headers, ...clientProof(as.key()!, socket) })
  } finally {
    socket.destroy()
  }
}

/** Opens the link WebSocket as `as`, with its proof: 101, or the refusal. */
async function upgrade(port: number, as: Machine, headers: Record<string, string> = {}) {
  const socket = await tlsTo(port, as)
  const res = await upgradeOn(socket, { ...headers, ...clientProof(as.key()!, socket) })
  res.ws?.close()
  socket.destroy()
  return res
}

t.test('a request from a web page is refused with forbidden_origin', async (t) => {
  const { port, reached, member } = await peerServer(t)
  const evil = { origin: 'http://evil.example', host: `127.0.0.1:${port}` }
  for (const path of ['/peer/v1/advert', `/peer/v1/blobs/${SHA}`]) {
    const res = await get(port, member, path, evil)
    t.equal(res.status, 403, path)
    t.equal(codeOf(res.body), 'forbidden_origin', path)
  }
  const marked = await get(port, member, '/peer/v1/advert', { 'sec-fetch-site': 'cross-site', host: `127.0.0.1:${port}` })
  t.equal(marked.status, 403, 'a browser request without Origin (an <img>) still carries Sec-Fetch-Site')
  t.same(reached, { links: 0, blobs: 0, adverts: 0 }, 'no handler ran')
})

t.test('a WebSocket from a web page is refused before the link exists', async (t) => {
  const { port, reached, member } = await peerServer(t)
  const res = await upgrade(port, member, { origin: 'http://evil.example' })
  t.equal(res.status, 403)
  t.equal(codeOf(res.body), 'forbidden_origin')
  const rebound = await upgrade(port, member, { host: `evil.example:${port}` })
  t.equal(rebound.status, 403)
  t.equal(codeOf(rebound.body), 'forbidden_host')
  t.equal(reached.links, 0, 'the link handler was never called')
})

t.test('Host must be an IP literal: names are refused with forbidden_host', async (t) => {
  const { port, reached, member } = await peerServer(t)
  for (const host of ['evil.example', `evil.example:${port}`, 'localhost', `localhost:${port}`, '::1']) {
    const res = await get(port, member, '/peer/v1/advert', { host })
    t.equal(res.status, 403, `Host: ${host}`)
    t.equal(codeOf(res.body), 'forbidden_host', `Host: ${host}`)
  }
  t.equal(reached.adverts, 0)
})

t.test("a daemon's requests, addressed by IP and without Origin, are answered", async (t) => {
  const { port, reached, member } = await peerServer(t)
  for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `[::1]:${port}`, '[::1]']) {
    t.equal((await get(port, member, '/peer/v1/advert', { host })).status, 200, `Host: ${host}`)
  }
  t.equal((await get(port, member, `/peer/v1/blobs/${SHA}`, { host: `127.0.0.1:${port}` })).status, 404, 'the blob handler answers')
  t.equal((await upgrade(port, member)).status, 101, 'ws sends Host 127.0.0.1:PORT and no Origin')
  const answer = await peerRequest(member.tls, { host: '127.0.0.1', port }, 'GET', '/peer/v1/advert', { timeoutMs: 2000 })
  answer.res.resume()
  t.equal(answer.res.statusCode, 200, 'peerRequest, as probe.ts and transfer.ts use it, adds no Origin or Sec-Fetch-Site')
  t.ok(answer.member, 'and the server proved the network key back')
  const probed = await probeOver(member.tls)('127.0.0.1', port, 2000)
  t.match(probed, { ok: true, member: true }, 'the probe reads the advert of the machine whose key answered')
  t.same(reached, { links: 1, blobs: 1, adverts: 6 })
})
