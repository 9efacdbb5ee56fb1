/**
 * History: a store of N messages built with the daemon's own Store class (as a replica that
 * has followed the relay for a long time would hold), then a real daemon started in-process on
 * it (loopback, mDNS off). Figures: daemon start on that store; the first page of 50 after
 * log-in ("opening the room"); then p50/p99 of `requests` more. Checked: every page holds the
 * 50 newest messages, in order, with the texts that were stored.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import pino from 'pino'
import type { Entry, MessagesResponse } from '../shared/index.js'
import { hashPassword } from '../daemon/accounts/index.js'
import { resolveConfig, startDaemon } from '../daemon/index.js'
import { Store } from '../daemon/store/index.js'
import { percentile, round, tempDir } from './proc.js'

export interface HistoryResult {
  messages: number
  buildS: number
  startMs: number
  firstPageMs: number
  p50Ms: number
  p99Ms: number
  requests: number
}

const ORIGIN = 'b0b0b0b0b0b0b0b0'
const text = (seq: number) => `history message ${seq} ${'x'.repeat(160)}`

async function build(dir: string, messages: number): Promise<void> {
  const store = await Store.open(dir)
  try {
    const password = await hashPassword('bench password')
    const ts = Date.now() - messages * 1000
    await store.append([
      {
        id: randomBytes(12).toString('base64url'),
        ts,
        origin: ORIGIN,
        seq: 1,
        term: 1,
        body: { type: 'account.created', username: 'bench', password },
      },
    ])
    const BATCH = 5000
    for (let first = 2; first <= messages + 1; first += BATCH) {
      const batch: Entry[] = []
      for (let seq = first; seq < Math.min(first + BATCH, messages + 2); seq++) {
        batch.push({
          id: randomBytes(12).toString('base64url'),
          ts: ts + seq * 1000,
          origin: ORIGIN,
          seq,
          term: 1,
          body: { type: 'message.posted', room: 'general', author: 'bench', text: text(seq) },
        })
      }
      await store.append(batch)
    }
  } finally {
    await store.close()
  }
}

export async function history(opts: { messages: number; requests: number }): Promise<HistoryResult> {
  const tmp = tempDir('history')
  try {
    const t0 = performance.now()
    await build(join(tmp.dir, 'db'), opts.messages)
    const buildS = round((performance.now() - t0) / 1000, 1)
    const t1 = performance.now()
    const config = resolveConfig({ dataDir: tmp.dir, uiPort: '0', peerPort: '0', mdns: false, name: 'bench-history' })
    const daemon = await startDaemon(config, pino({ level: 'silent' }))
    const startMs = Math.round(performance.now() - t1)
    try {
      const login = await fetch(`${daemon.ui}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'bench password' }),
      })
      if (login.status !== 201) throw new Error(`log-in answered ${login.status}`)
      const { token } = (await login.json()) as { token: string }
      const page = async (): Promise<number> => {
        const s = performance.now()
        const res = await fetch(`${daemon.ui}/api/v1/rooms/general/messages?limit=50`, { headers: { authorization: `Bearer ${token}` } })
        const body = (await res.json()) as MessagesResponse
        const ms = performance.now() - s
        const m = body.messages
        const last = opts.messages + 1
        const ok = res.status === 200 && m.length === 50 && m.every((x, i) => x.seq === last - 49 + i && x.text === text(x.seq))
        if (!ok)
          throw new Error(
            `history: a page was not the 50 newest messages (status ${res.status}, ${m?.length} messages) — no figure is reported`,
          )
        return ms
      }
      const firstPageMs = round(await page(), 1)
      const times: number[] = []
      for (let i = 0; i < opts.requests; i++) times.push(await page())
      return {
        messages: opts.messages,
        buildS,
        startMs,
        firstPageMs,
        p50Ms: round(percentile(times, 50), 2),
        p99Ms: round(percentile(times, 99), 2),
        requests: opts.requests,
      }
    } finally {
      await daemon.stop()
    }
  } finally {
    tmp.remove()
  }
}
