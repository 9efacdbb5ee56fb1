/**
 * Chat-level helpers for the multi-host tests: what "the LAN has settled" means, and the few
 * REST calls the tests make (accounts, sessions, messages) with their responses checked.
 */
import { request } from 'node:http'
import type { Message, MessagesResponse, SessionResponse, Status } from '../../shared/index.js'
import { sleep, type Host } from './harness.js'

export interface Settled {
  relay: Host
  relayStatus: Status
  statuses: Status[]
}

/** `h1=relay t2 | h2=client→h1 t2`: what each host believes, for failure messages. */
export function describeRoles(hosts: Host[], statuses: Status[]): string {
  return statuses
    .map((s, i) => {
      const follows = s.role === 'client' ? `→${hosts.find((_host, j) => statuses[j]?.nodeId === s.relayId)?.name ?? s.relayId}` : ''
      return `${hosts[i]?.name}=${s.role}${follows} t${s.term}`
    })
    .join(' | ')
}

/**
 * Probe for lan.waitFor: resolves once exactly one host is relay and every other one is its
 * client, all on the same positive term; throws a description of the current state otherwise.
 */
export async function settledProbe(hosts: Host[]): Promise<Settled> {
  const statuses = await Promise.all(hosts.map((h) => h.status()))
  const relays = statuses.flatMap((s, i) => (s.role === 'relay' ? [i] : []))
  const state = describeRoles(hosts, statuses)
  if (relays.length !== 1) throw new Error(`${relays.length} relays: ${state}`)
  const ri = relays[0]!
  const relayStatus = statuses[ri]!
  const ok = statuses.every((s, i) =>
    i === ri ? relayStatus.term > 0 : s.role === 'client' && s.relayId === relayStatus.nodeId && s.term === relayStatus.term,
  )
  if (!ok) throw new Error(`not settled: ${state}`)
  return { relay: hosts[ri]!, relayStatus, statuses }
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

export async function signUp(host: Host, username: string, password: string): Promise<void> {
  const res = await host.api<{ username: string }>('POST', '/api/v1/accounts', { username, password })
  if (res.status !== 201) throw new Error(`${host.name}: sign-up of ${username} answered ${res.status}: ${JSON.stringify(res.body)}`)
}

export async function logIn(host: Host, username: string, password: string): Promise<SessionResponse> {
  const res = await host.api<SessionResponse>('POST', '/api/v1/sessions', { username, password })
  if (res.status !== 201 || typeof res.body?.token !== 'string') {
    throw new Error(`${host.name}: log-in of ${username} answered ${res.status}: ${JSON.stringify(res.body)}`)
  }
  return res.body
}

export async function messages(host: Host, token: string, limit = 500): Promise<Message[]> {
  const res = await host.api<MessagesResponse>('GET', `/api/v1/rooms/general/messages?limit=${limit}`, undefined, bearer(token))
  if (res.status !== 200 || !Array.isArray(res.body?.messages)) {
    throw new Error(`${host.name}: messages answered ${res.status}: ${JSON.stringify(res.body)}`)
  }
  return res.body.messages
}

export async function post(host: Host, token: string, text: string): Promise<Message> {
  const res = await host.api<{ message: Message }>('POST', '/api/v1/rooms/general/messages', { text }, bearer(token))
  if (res.status !== 201 || !res.body?.message) {
    throw new Error(`${host.name}: post answered ${res.status}: ${JSON.stringify(res.body)}`)
  }
  return res.body.message
}

/**
 * Waits until message `id` is readable on `host`, polling fast (25 ms) because the time it
 * takes is one of the figures we report; returns the message and the ms since `since`.
 */
export async function awaitMessage(
  host: Host,
  token: string,
  id: string,
  since: number,
  timeoutMs = 10_000,
): Promise<{ message: Message; ms: number }> {
  const deadline = since + timeoutMs
  let last = 'not polled yet'
  while (Date.now() < deadline) {
    try {
      const found = (await messages(host, token, 50)).find((m) => m.id === id)
      if (found) return { message: found, ms: Date.now() - since }
      last = 'not there yet'
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(25)
  }
  throw new Error(`message ${id} did not reach ${host.name} within ${timeoutMs} ms (${last})`)
}

/** Probe: every host has the same log head, at least `min`; resolves with that head. */
export async function sameHead(hosts: Host[], min: number): Promise<number> {
  const hs = await Promise.all(hosts.map(async (h) => (await h.status()).head))
  const top = Math.max(...hs)
  if (top < min || hs.some((x) => x !== top)) throw new Error(`heads differ or below ${min}: ${hs.join(', ')}`)
  return top
}

/** One request over a host's control socket with a raw body (uploads, downloads); resolves with status and body bytes. */
export function rawRequest(
  host: Host,
  method: string,
  urlPath: string,
  token: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: host.socketPath, method, path: urlPath, headers: { host: 'localhost', ...bearer(token), ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res
          .on('data', (c: Buffer) => chunks.push(c))
          .on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
          .on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
