/**
 * Host's control-socket client and uiUrl() forwarder, against a stand-in HTTP server on the
 * unix socket (no namespace, no root, no daemon needed).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { CLI_PATH, Host, REPO_ROOT } from './harness.js'

t.test('api(), status() and uiUrl() speak HTTP over the unix socket', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sochat-hosttest-'))
  const host = new Host({
    name: 'h1',
    ns: 'unused',
    ip: '10.0.0.1',
    dataDir,
    switchNs: 'unused',
    veth: 'unused',
    cliPath: CLI_PATH,
    repoRoot: REPO_ROOT,
    args: [],
  })
  const seen: Array<{ method?: string; url?: string; host?: string; type?: string; body: string }> = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, host: req.headers.host, type: req.headers['content-type'], body })
      if (req.url === '/api/v1/status')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"role":"relay","term":3}')
      if (req.method === 'DELETE') return void res.writeHead(204).end()
      res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":{"code":"username_taken","message":"taken"}}')
    })
  })
  await new Promise<void>((resolve) => server.listen(host.socketPath, resolve))
  t.teardown(async () => {
    await host.closeForwarder()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    rmSync(dataDir, { recursive: true, force: true })
  })

  t.match(await host.status(), { role: 'relay', term: 3 }, 'status() parses JSON')
  t.equal(seen[0]?.host, 'localhost', 'Host header is localhost')
  const taken = await host.api('POST', '/api/v1/accounts', { username: 'ålice 👋' }, { 'x-extra': '1' })
  t.same(taken, { status: 409, body: { error: { code: 'username_taken', message: 'taken' } } }, 'error body parsed')
  t.equal(seen[1]?.type, 'application/json', 'JSON bodies are labelled')
  t.same(JSON.parse(seen[1]?.body ?? ''), { username: 'ålice 👋' }, 'UTF-8 body intact')
  t.same(await host.api('DELETE', '/api/v1/sessions/current'), { status: 204, body: undefined }, '204 → undefined')

  const url = await host.uiUrl()
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(await host.uiUrl(), url, 'one forwarder per host')
  const res = await fetch(`${url}/api/v1/status`)
  t.same(await res.json(), { role: 'relay', term: 3 }, 'the forwarder reaches the socket')
  t.match(seen.at(-1)?.host ?? '', /^127\.0\.0\.1:\d+$/, 'a browser-style Host header passes through unchanged')
  await host.closeForwarder()
  await t.rejects(fetch(`${url}/api/v1/status`), 'forwarder closed')
})
