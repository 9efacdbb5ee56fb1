/**
 * A real daemon on loopback for the HTTP tests (mDNS off, ports chosen by the system: nothing
 * leaves this machine), and small request helpers that return status, JSON body and headers.
 */
import { request } from 'node:http'
import pino from 'pino'
import { resolveConfig, startDaemon, type RunningDaemon } from '../../../daemon/index.js'

export type Owner = { teardown: (fn: () => unknown) => void }

export interface Reply { status: number; body: any; headers: Headers } // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Call { method?: string; json?: unknown; raw?: string; token?: string; headers?: Record<string, string> }

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
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => {
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null, headers: new Headers(res.headers as Record<string, string>) })
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

/** Starts a daemon in `dataDir` that `owner` stops when it ends. */
export async function startLocalDaemon(owner: Owner, dataDir: string, name: string, peer: string[] = []): Promise<RunningDaemon> {
  const config = resolveConfig({ dataDir, uiPort: '0', peerPort: '0', mdns: false, name, peer })
  const daemon = await startDaemon(config, pino({ level: 'silent' }))
  owner.teardown(() => daemon.stop())
  return daemon
}
