/** Reads a host's whole room history (paging back) and checks acknowledged messages against it. */
import type { Message, MessagesResponse } from '../shared/index.js'
import { bearer } from '../test/multihost/lan-helpers.js'
import type { Host } from './lan.js'

export async function history(host: Host, token: string): Promise<Message[]> {
  const all: Message[] = []
  let before: number | undefined
  for (;;) {
    const q = before === undefined ? '' : `&before=${before}`
    const res = await host.api<MessagesResponse>('GET', `/api/v1/rooms/general/messages?limit=500${q}`, undefined, bearer(token))
    if (res.status !== 200) throw new Error(`${host.name}: history answered ${res.status}`)
    const page = res.body.messages
    all.unshift(...page)
    if (page.length < 500) return all
    before = page[0]!.seq
  }
}

export interface Audit {
  acknowledged: number
  found: number
  lost: number
  duplicated: number
}

/** Every acknowledged id must be in `log` exactly once. */
export function audit(acknowledged: Iterable<string>, log: Message[]): Audit {
  const counts = new Map<string, number>()
  for (const m of log) counts.set(m.id, (counts.get(m.id) ?? 0) + 1)
  let n = 0,
    found = 0,
    lost = 0,
    duplicated = 0
  for (const id of acknowledged) {
    n++
    const c = counts.get(id) ?? 0
    if (c === 0) lost++
    else found++
    if (c > 1) duplicated++
  }
  return { acknowledged: n, found, lost, duplicated }
}
