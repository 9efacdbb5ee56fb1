/**
 * The peer port refuses the web: a request or WebSocket upgrade that carries an Origin (every
 * browser's cross-origin fetch and WebSocket does) or names the machine by anything but an IP
 * in Host (a DNS-rebound page does) gets 403 and never reaches the link or the blob handler.
 * A daemon's own requests (no Origin, Host an IP literal) still get through.
 */
import { request } from 'node:http'
import pino from 'pino'
import t from 'tap'
import WebSocket from 'ws'
import { PeerServer } from '../../../daemon/link/index.js'
import type { Advert } from '../../../shared/index.js'

const SHA = 'a'.repeat(64)

/** A peer server on 127.0.0.1 that counts what reaches its handlers. */
async function peerServer(t: { teardown: (fn: () => unknown) => void }) {
  const reached = { links: 0, blobs: 0, adverts: 0 }
  const server = await PeerServer.listen({
    host: '127.0.0.1',
    port: 0,
    portAttempts: 1,
    log: pino({ level: 'silent' }),
    advert: () => {
      reached.adverts++
      return { nodeId: 'f'.repeat(16) } as Advert
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
  t.teardown(() => server.close())
  return { port: server.port, reached }
}

/** A GET with exactly these headers. */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject).end()
  })
}

/** Opens the link WebSocket; resolves with the HTTP status when refused, or 101 when it opened. */
function upgrade(port: number, options: WebSocket.ClientOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/peer/v1/link`, options)
    ws.once('open', () => {
      ws.close()
      resolve({ status: 101, body: '' })
    })
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    ws.once('error', reject)
  })
}

const codeOf = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code

t.test('a request from a web page is refused with forbidden_origin', async (t) => {
  const { port, reached } = await peerServer(t)
  const evil = { origin: 'http://evil.example', host: `127.0.0.1:${port}` }
  for (const path of ['/peer/v1/advert', `/peer/v1/blobs/${SHA}`]) {
    const res = await get(port, path, evil)
    t.equal(res.status, 403, path)
    t.equal(codeOf(res.body), 'forbidden_origin', path)
  }
  const marked = await get(port, '/peer/v1/advert', { 'sec-fetch-site': 'cross-site', host: `127.0.0.1:${port}` })
  t.equal(marked.status, 403, 'a browser request without Origin (an <img>) still carries Sec-Fetch-Site')
  t.same(reached, { links: 0, blobs: 0, adverts: 0 }, 'no handler ran')
})

t.test('a WebSocket from a web page is refused before the link exists', async (t) => {
  const { port, reached } = await peerServer(t)
  const res = await upgrade(port, { origin: 'http://evil.example' })
  t.equal(res.status, 403)
  t.equal(codeOf(res.body), 'forbidden_origin')
  const rebound = await upgrade(port, { headers: { host: `evil.example:${port}` } })
  t.equal(rebound.status, 403)
  t.equal(codeOf(rebound.body), 'forbidden_host')
  t.equal(reached.links, 0, 'the link handler was never called')
})

t.test('Host must be an IP literal: names are refused with forbidden_host', async (t) => {
  const { port, reached } = await peerServer(t)
  for (const host of ['evil.example', `evil.example:${port}`, 'localhost', `localhost:${port}`, '::1']) {
    const res = await get(port, '/peer/v1/advert', { host })
    t.equal(res.status, 403, `Host: ${host}`)
    t.equal(codeOf(res.body), 'forbidden_host', `Host: ${host}`)
  }
  t.equal(reached.adverts, 0)
})

t.test("a daemon's requests, addressed by IP and without Origin, are answered", async (t) => {
  const { port, reached } = await peerServer(t)
  for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `[::1]:${port}`, '[::1]']) {
    t.equal((await get(port, '/peer/v1/advert', { host })).status, 200, `Host: ${host}`)
  }
  t.equal((await get(port, `/peer/v1/blobs/${SHA}`, { host: `127.0.0.1:${port}` })).status, 404, 'the blob handler answers')
  t.equal((await upgrade(port, {})).status, 101, 'ws sends Host 127.0.0.1:PORT and no Origin')
  const probed = await fetch(`http://127.0.0.1:${port}/peer/v1/advert`)
  t.equal(probed.status, 200, 'fetch, as discovery/probe.ts uses it, adds no Origin or Sec-Fetch-Site')
  t.same(reached, { links: 1, blobs: 1, adverts: 5 })
})
