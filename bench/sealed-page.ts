/**
 * What opening a page of an end-to-end encrypted room costs (issue 14, item 4), through a real
 * daemon started in this process (loopback, mDNS off, its own relay): alice posts N messages
 * in a private room she shares with bob and N of the same texts in #general, then the last 50
 * of each are asked for, one request after another. A private room's page is the public page's
 * work plus opening alice's copy of the room key (a sealed-box opening and the commitment
 * check, once per room and epoch per request) and 50 XChaCha20-Poly1305 decryptions, so the
 * difference between the two is what encryption costs a reader.
 *
 * Checked before any figure: every page holds the 50 newest messages, in order, with the
 * texts posted, and the private room's are marked encrypted while #general's are not.
 */
import pino from 'pino'
import type { Message, MessagesResponse } from '../shared/index.js'
import { resolveConfig, startDaemon } from '../daemon/index.js'
import { percentile, round, sleep, tempDir } from './proc.js'

const PASSWORD = 'copper kettle winter orchard'
const PAGE = 50

export interface SealedPageResult {
  messages: number
  requests: number
  postMs: { sealed: number; plain: number }
  sealed: { firstMs: number; p50Ms: number; p99Ms: number }
  plain: { firstMs: number; p50Ms: number; p99Ms: number }
}

type Call = <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>

function caller(ui: string, token?: string): Call {
  return async (method, path, body) => {
    const headers: Record<string, string> = {}
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (token) headers.authorization = `Bearer ${token}`
    const res = await fetch(`${ui}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    return { status: res.status, body: (await res.json().catch(() => null)) as never }
  }
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`sealed-page: no ${what} within ${ms} ms`)
    await sleep(100)
  }
}

const text = (i: number) => `a chat line of about the length people write, number ${i}, with a few more words in it`

/** Posts `n` messages one after another; the mean ms per post (sign, seal if private, ordered). */
async function post(api: Call, room: string, n: number): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < n; i++) {
    const r = await api('POST', `/api/v1/rooms/${room}/messages`, { text: text(i) })
    if (r.status !== 201) throw new Error(`sealed-page: a post answered ${r.status}: ${JSON.stringify(r.body)}`)
  }
  return (performance.now() - started) / n
}

/** Times `requests + 1` requests for the last page; checks every answer first. */
async function pages(api: Call, room: string, n: number, encrypted: boolean, requests: number) {
  const one = async (): Promise<number> => {
    const s = performance.now()
    const r = await api<MessagesResponse>('GET', `/api/v1/rooms/${room}/messages?limit=${PAGE}`)
    const ms = performance.now() - s
    const m: Message[] = r.body?.messages ?? []
    const ok =
      r.status === 200 &&
      m.length === PAGE &&
      m.every((x, i) => x.text === text(n - PAGE + i) && (x.encrypted === true) === encrypted && x.unreadable === undefined)
    if (!ok)
      throw new Error(`sealed-page: a page of ${room} was not the ${PAGE} newest messages as posted (status ${r.status}, ${m.length})`)
    return ms
  }
  const firstMs = round(await one(), 2)
  const times: number[] = []
  for (let i = 0; i < requests; i++) times.push(await one())
  return { firstMs, p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2) }
}

export async function sealedPage(opts: { messages: number; requests: number }): Promise<SealedPageResult> {
  if (opts.messages < PAGE) throw new Error(`sealed-page: at least ${PAGE} messages`)
  const tmp = tempDir('sealed-page')
  try {
    const config = resolveConfig({ dataDir: tmp.dir, uiPort: '0', peerPort: '0', mdns: false, name: 'bench-sealed-page' })
    const daemon = await startDaemon(config, pino({ level: 'silent' }))
    try {
      const anon = caller(daemon.ui)
      await until('relay', async () => (await anon<{ role: string }>('GET', '/api/v1/status')).body?.role === 'relay')
      for (const username of ['alice', 'bob']) {
        const r = await anon('POST', '/api/v1/accounts', { username, password: PASSWORD })
        if (r.status !== 201) throw new Error(`sealed-page: sign-up answered ${r.status}: ${JSON.stringify(r.body)}`)
      }
      const login = await anon<{ token: string }>('POST', '/api/v1/sessions', { username: 'alice', password: PASSWORD })
      if (login.status !== 201) throw new Error(`sealed-page: log-in answered ${login.status}`)
      const api = caller(daemon.ui, login.body.token)
      const made = await api<{ room: { id: string; encrypted?: boolean } }>('POST', '/api/v1/rooms', {
        name: 'bench-sealed',
        kind: 'private',
        invite: ['bob'],
      })
      if (made.status !== 201 || made.body.room.encrypted !== true)
        throw new Error(`sealed-page: the private room was not made encrypted (${made.status}: ${JSON.stringify(made.body)})`)
      const room = made.body.room.id
      const postMs = { sealed: round(await post(api, room, opts.messages), 2), plain: round(await post(api, 'general', opts.messages), 2) }
      // Interleaved would be fairer to a drifting machine, but each set is short; plain first warms the route.
      const plain = await pages(api, 'general', opts.messages, false, opts.requests)
      const sealed = await pages(api, room, opts.messages, true, opts.requests)
      return { messages: opts.messages, requests: opts.requests, postMs, sealed, plain }
    } finally {
      await daemon.stop()
    }
  } finally {
    tmp.remove()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await sealedPage({ messages: Number(process.argv[2] ?? 200), requests: Number(process.argv[3] ?? 100) })))
}
