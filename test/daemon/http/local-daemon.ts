/**
 * A real daemon on loopback for the HTTP tests (mDNS off, ports chosen by the system: nothing
 * leaves this machine), and small request helpers that return status, JSON body and headers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { NetworkKey } from '../../../daemon/identity/index.js'
import { resolveConfig, startDaemon, type RunningDaemon } from '../../../daemon/index.js'
import type { StartFlags } from '../../../daemon/config/index.js'

export type Owner = { teardown: (fn: () => unknown) => void }

export interface Reply {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: tests read any field of any answer and assert on it
  body: any
  headers: Headers
}
export interface Call {
  method?: string
  json?: unknown
  raw?: string
  token?: string
  headers?: Record<string, string>
}

export async function call(base: string, path: string, c: Call = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...c.headers }
  if (c.token) headers.authorization = `Bearer ${c.token}`
  const body = c.raw ?? (c.json === undefined ? undefined : JSON.stringify(c.json))
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await fetch(base + path, { method: c.method ?? (body === undefined ? 'GET' : 'POST'), headers, body })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers }
}

/** node:http, for the headers fetch will not let a caller choose (Host). */
export function rawCall(base: string, path: string, method: string, headers: Record<string, string>, body = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      let text = ''
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (text += d))
        .on('end', () => {
          resolve({
            status: res.statusCode!,
            body: text ? JSON.parse(text) : null,
            headers: new Headers(res.headers as Record<string, string>),
          })
        })
    })
    req.on('error', reject).end(body)
  })
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

let keyFile: string | undefined

/** One network key for every daemon a test file starts, as an office's machines share one (README "Who gets in"). */
function testNetworkKey(): string {
  if (!keyFile) {
    keyFile = join(mkdtempSync(join(tmpdir(), 'sochat-test-key-')), 'network-key')
    writeFileSync(keyFile, `${NetworkKey.generate().toString()}\n`, { mode: 0o600 })
  }
  return keyFile
}

/** Starts a daemon in `dataDir` that `owner` stops when it ends; every one of them holds the same network key. */
export async function startLocalDaemon(
  owner: Owner,
  dataDir: string,
  name: string,
  peer: string[] = [],
  flags: StartFlags = {},
): Promise<RunningDaemon> {
  const config = resolveConfig({ dataDir, uiPort: '0', peerPort: '0', mdns: false, name, peer, networkKeyFile: testNetworkKey(), ...flags })
  const daemon = await startDaemon(config, pino({ level: 'silent' }))
  owner.teardown(() => daemon.stop())
  return daemon
}

/** A relay and one client on loopback, with accounts made and a way to log them in anywhere. */
export async function startPair(
  owner: Owner,
  root: string,
  users: string[],
  password = 'pair of velvet lamps',
  relayFlags: StartFlags = {},
) {
  const relay = await startLocalDaemon(owner, `${root}/relay`, 'relay', [], relayFlags)
  await waitFor('a relay', async () => (await call(relay.ui, '/api/v1/status')).body.role === 'relay')
  const client = await startLocalDaemon(owner, `${root}/client`, 'client', [`127.0.0.1:${relay.status().peerPort}`])
  await waitFor('the client to join', async () => (await call(client.ui, '/api/v1/status')).body.role === 'client')
  for (const username of users) {
    const made = await call(relay.ui, '/api/v1/accounts', { json: { username, password } })
    if (made.status !== 201) throw new Error(`signing up ${username} failed: ${made.status} ${JSON.stringify(made.body)}`)
  }
  const token = async (ui: string, username: string): Promise<string> =>
    waitFor(`${username} logged in on ${ui}`, async () => {
      const r = await call(ui, '/api/v1/sessions', { json: { username, password } })
      return r.status === 201 ? (r.body.token as string) : undefined
    })
  return { relay, client, token }
}
