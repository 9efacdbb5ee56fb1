/**
 * Join and failover. Join: all daemons started at once, time until they follow one relay;
 * then each killed relay, restarted, is a late joiner: time from its start to following the
 * new relay. Failover: SIGKILL the relay, time until every other daemon follows one new
 * relay; repeated. Messages acknowledged (201) before each kill are audited on every replica.
 */
import type { Status } from '../shared/index.js'
import { post } from '../test/multihost/lan-helpers.js'
import { audit, history, type Audit } from './audit.js'
import type { Build } from './build.js'
import { accountEverywhere, median, settled, sleep, withLan, type Host } from './lan.js'

export interface FailoverResult {
  hosts: number
  kills: number
  timesMs: number[]
  medianMs: number
  worstMs: number
  /** All hosts started at the same moment, until every one follows one relay. */
  startTogetherMs: number
  /** Of which: until the last daemon answered its status (its own start, before any election). */
  lastUpMs: number
  /** Each restarted old relay, from its start until it follows the current relay. */
  lateJoinMs: number[]
  audit: Audit
}

async function allFollowOneRelay(hosts: Host[]): Promise<boolean> {
  const statuses: Status[] = await Promise.all(hosts.map((h) => h.status()))
  const relays = statuses.filter((s) => s.role === 'relay')
  return relays.length === 1 && statuses.every((s) => s.role === 'relay' || (s.role === 'client' && s.relayId === relays[0]!.nodeId))
}

async function followersOfNewRelay(hosts: Host[], deadNodeId: string): Promise<boolean> {
  const statuses: Status[] = await Promise.all(hosts.map((h) => h.status()))
  const relays = statuses.filter((s) => s.role === 'relay')
  if (relays.length !== 1 || relays[0]!.nodeId === deadNodeId) return false
  return statuses.every((s) => s.role === 'relay' || (s.role === 'client' && s.relayId === relays[0]!.nodeId))
}

/** Polls every 50 ms (not the harness's 200) so the figure's resolution is fine enough. */
async function timeUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    if (await probe().catch(() => false)) return Math.round(performance.now() - start)
    await sleep(50)
  }
  throw new Error(`not settled within ${timeoutMs} ms`)
}

export async function failover(opts: { hosts: number; kills: number; messagesPerRound: number; build: Build }): Promise<FailoverResult> {
  return withLan(
    opts.hosts,
    async (lan) => {
      const started = performance.now()
      await Promise.all(lan.hosts.map((h) => h.start()))
      const lastUpMs = Math.round(performance.now() - started)
      await timeUntil(() => allFollowOneRelay(lan.hosts), 30_000)
      const startTogetherMs = Math.round(performance.now() - started)
      const lateJoinMs: number[] = []
      await settled(lan)
      const tokens = await accountEverywhere(lan.hosts)
      const acked: string[] = []
      const timesMs: number[] = []
      for (let k = 0; k < opts.kills; k++) {
        const { relay, relayStatus } = await settled(lan)
        const others = lan.hosts.filter((h) => h !== relay)
        for (let i = 0; i < opts.messagesPerRound; i++) {
          const from = others[i % others.length]!
          acked.push((await post(from, tokens.get(from)!, `round ${k} message ${i}`)).id)
        }
        await relay.kill()
        timesMs.push(await timeUntil(() => followersOfNewRelay(others, relayStatus.nodeId), 30_000))
        const restarted = performance.now()
        await relay.start()
        await timeUntil(() => allFollowOneRelay(lan.hosts), 30_000)
        lateJoinMs.push(Math.round(performance.now() - restarted))
      }
      await settled(lan)
      const heads = async () => new Set((await Promise.all(lan.hosts.map((h) => h.status()))).map((s) => s.head)).size === 1
      await lan.waitFor('equal log heads', heads, 30_000)
      const audits = await Promise.all(lan.hosts.map(async (h) => audit(acked, await history(h, tokens.get(h)!))))
      const worst = audits.reduce((a, b) => (b.lost + b.duplicated > a.lost + a.duplicated ? b : a))
      return {
        hosts: opts.hosts,
        kills: opts.kills,
        timesMs,
        medianMs: median(timesMs),
        worstMs: Math.max(...timesMs),
        startTogetherMs,
        lastUpMs,
        lateJoinMs,
        audit: worst,
      }
    },
    opts,
  )
}
