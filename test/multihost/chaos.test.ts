/**
 * Chaos (issue 3): five real daemons in network namespaces, every host posting continuously
 * through its own REST API, while the LAN suffers, in order: SIGKILL of the relay, SIGKILL of
 * the new relay, restart of both, a cut cable, a split bridge, a daemon killed in the middle
 * of catching up, a daemon killed in the middle of its own burst. Then, on every replica:
 * every message whose POST answered 201 or 202 is there exactly once, per-sender order holds,
 * and all replicas hold the same (seq, id) list. Timings are printed (`# ...`), never asserted.
 *
 * Needs root and iproute2 (skipped otherwise); `npm run build` first. Takes ~1.5–2 minutes;
 * every wait is bounded and the file times out at 5 minutes.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { Test } from 'tap'
import type { Message, OutboxResponse, Status } from '../../shared/index.js'
import { auditReplica, burst, compareLogs, median, readAll, Sender, tally, type SentRecord } from './chaos-load.js'
import { canBuildLan, CLI_PATH, cleanEnv, createLan, REPO_ROOT, sleep, type Host, type Lan } from './harness.js'
import { bearer, describeRoles, logIn, settledProbe, signUp, type Settled } from './lan-helpers.js'

const can = canBuildLan()
const skip = can.ok ? false : can.reason
const HOSTS = 5
const PASSWORD = 'chaos monkey password'
const ELECTION_MS = 40_000
const SETTLE_MS = 20_000
const DRAIN_MS = 30_000
/** Steady sending between two faults. */
const STEADY_MS = 2_000
/** Hard stop for the sender loops, whatever happens to the steps. */
const SENDERS_MAX_MS = 220_000

t.setTimeout(300_000)

/** What the steps share. */
interface Chaos {
  t: Test
  lan: Lan
  hosts: Host[]
  tokens: string[]
  senders: Sender[]
  bursts: SentRecord[]
  failovers: { what: string; ms: number }[]
  catchUp: string[]
  durations: { what: string; ms: number; start: number }[]
  notes: string[]
  /** Clients already chosen by a fault, so the next one picks another. */
  victims: Host[]
  /** When each host's daemon was down (from the signal until start() answered again). */
  down: Map<Host, { from: number; to: number }[]>
}

t.test('chaos: five daemons, every host sending, under faults; nothing lost', { skip }, async (t) => {
  const lan = await createLan(t, HOSTS)
  const hosts = lan.hosts
  const c: Chaos = {
    t,
    lan,
    hosts,
    tokens: [],
    senders: [],
    bursts: [],
    failovers: [],
    catchUp: [],
    durations: [],
    notes: [],
    victims: [],
    down: new Map(),
  }
  const tStart = Date.now()

  // Start together, settle, one account per host.
  await Promise.all(hosts.map((h) => h.start()))
  const first = await lan.waitFor('one relay, four clients', () => settledProbe(hosts), ELECTION_MS)
  t.comment(`settled after ${Date.now() - tStart} ms: relay ${first.relay.name}, term ${first.relayStatus.term}`)
  for (const [i, h] of hosts.entries()) await signUp(h, `user${i + 1}`, PASSWORD)
  c.tokens = await Promise.all(hosts.map(async (h, i) => (await logIn(h, `user${i + 1}`, PASSWORD)).token))
  t.pass('five accounts, each logged in on its own host')

  const senderDeadline = Date.now() + SENDERS_MAX_MS
  c.senders = hosts.map((h, i) => new Sender(h, i + 1, c.tokens[i]!, senderDeadline))
  for (const s of c.senders) s.start()
  await sleep(2_000)

  const killed: Host[] = []
  await step(c, '1. SIGKILL the relay', 'kill relay', async () => {
    killed.push(await killRelay(c, 'first kill'))
  })
  await step(c, '2. SIGKILL the new relay', 'kill new relay', async () => {
    killed.push(await killRelay(c, 'second kill'))
  })
  await step(c, '3. restart both killed hosts', 'restart both', () => restartKilled(c, killed))
  await step(c, "4. cut a client's cable for 8 s", 'cut cable', () => cutCable(c))
  await step(c, '5. split the bridge {h1,h2} | {h3,h4,h5} for 10 s', 'split', () => splitBridge(c))
  await step(c, '6. restart a daemon in the middle of catching up', 'catch-up kill', () => killDuringCatchUp(c))
  await step(c, '7. SIGKILL a daemon during its own burst', 'kill in burst', () => killDuringBurst(c))

  await Promise.all(c.senders.map((s) => s.stop()))
  const senderMs = Date.now() - tStart
  await finalAudit(c)

  t.comment(
    `failover times: ${c.failovers.map((f) => `${f.what} ${f.ms} ms`).join(', ')}; ` +
      `median ${median(c.failovers.map((f) => f.ms))} ms, worst ${Math.max(...c.failovers.map((f) => f.ms))} ms`,
  )
  t.comment(`catch-up: ${c.catchUp.join('; ')}`)
  t.comment(`per-fault durations: ${c.durations.map((d) => `${d.what}: ${d.ms} ms`).join('; ')}`)
  const allRecords = [...c.senders.flatMap((s) => s.records), ...c.bursts]
  const windows = [{ what: 'before the faults', start: 0 }, ...c.durations]
  t.comment(
    `POSTs started during each fault (sent/201/202/failed): ${windows
      .map((w, i) => {
        const end = windows[i + 1]?.start ?? Infinity
        const x = tally(allRecords.filter((r) => r.at >= w.start && r.at < end))
        return `${w.what} ${x.sent}/${x.acked}/${x.pending}/${x.failed}`
      })
      .join('; ')}`,
  )
  for (const n of c.notes) t.comment(n)
  t.comment(`total ${Math.round((Date.now() - tStart) / 1000)} s (faults and senders ${Math.round(senderMs / 1000)} s)`)
})

/** Runs one fault; a failure is recorded and the next fault still runs (the audit matters most). */
async function step(c: Chaos, what: string, label: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now()
  c.t.comment(`${what} …`)
  try {
    await fn()
  } catch (err) {
    c.t.fail(`${what}: ${(err as Error).message}`)
  }
  const ms = Date.now() - t0
  c.durations.push({ what: label, ms, start: t0 })
  await sleep(STEADY_MS) // a moment of steady sending between faults, so their effects stay apart
}

const running = (c: Chaos): Host[] => c.hosts.filter((h) => h.running)

/** Call before signalling a daemon: from now on a failed POST on that host is excused. */
function goingDown(c: Chaos, h: Host): void {
  const list = c.down.get(h) ?? []
  c.down.set(h, list)
  if (list.at(-1)?.to !== Infinity) list.push({ from: Date.now(), to: Infinity })
}

/** Call once start() answered: failures on that host count again. */
function backUp(c: Chaos, h: Host): void {
  const last = c.down.get(h)?.at(-1)
  if (last && last.to === Infinity) last.to = Date.now()
}

/** A POST that failed while its host was down (or going down) is allowed; any other failure is not. */
function excused(c: Chaos, r: SentRecord): boolean {
  const h = c.hosts[r.sender - 1]!
  return (c.down.get(h) ?? []).some((w) => r.at <= w.to && r.at + r.ms >= w.from)
}

/** Waits for one relay with every running host its client; fails the test (not the run) on timeout. */
async function settle(c: Chaos, what: string, timeoutMs = SETTLE_MS): Promise<Settled | undefined> {
  const t0 = Date.now()
  try {
    const s = await c.lan.waitFor(`${what}: one relay, every running host its client`, () => settledProbe(running(c)), timeoutMs)
    c.t.comment(`${what}: settled in ${Date.now() - t0} ms on relay ${s.relay.name}, term ${s.relayStatus.term}`)
    return s
  } catch (err) {
    c.t.fail((err as Error).message)
    return undefined
  }
}

async function currentRelay(c: Chaos): Promise<Host> {
  const s = await settle(c, 'before the fault')
  if (s) return s.relay
  for (const h of running(c)) if ((await h.status().catch(() => undefined))?.role === 'relay') return h
  throw new Error('no relay to act on')
}

/** The current relay and a client of it: the last one not yet used by an earlier fault, if any. */
async function anyClient(c: Chaos): Promise<{ relay: Host; client: Host }> {
  const relay = await currentRelay(c)
  const clients = running(c).filter((h) => h !== relay)
  const client = clients.filter((h) => !c.victims.includes(h)).at(-1) ?? clients.at(-1)
  if (!client) throw new Error('no client to act on')
  c.victims.push(client)
  return { relay, client }
}

/** SIGKILL the relay; the failover time runs until every other running host is a client of a new relay. */
async function killRelay(c: Chaos, what: string): Promise<Host> {
  const relay = await currentRelay(c)
  const before = await relay.status()
  const t0 = Date.now()
  goingDown(c, relay)
  await relay.kill()
  const rest = running(c)
  const s = await c.lan.waitFor(
    `${what}: a new relay with all ${rest.length} others its clients`,
    async () => {
      const st = await settledProbe(rest)
      if (st.relay === relay) throw new Error('still the old relay')
      return st
    },
    SETTLE_MS,
  )
  const ms = Date.now() - t0
  c.failovers.push({ what, ms })
  c.t.comment(
    `${what}: SIGKILL ${relay.name} (relay, term ${before.term}, head ${before.head}); ` +
      `${s.relay.name} relay of all ${rest.length} others after ${ms} ms, term ${s.relayStatus.term}`,
  )
  c.t.ok(s.relayStatus.term > before.term, `${what}: the new relay ${s.relay.name} has a higher term`)
  return relay
}

async function restartKilled(c: Chaos, killed: Host[]): Promise<void> {
  const relay = await currentRelay(c)
  const t0 = Date.now()
  await Promise.all(
    killed.map(async (h) => {
      await h.start()
      backUp(c, h)
    }),
  )
  const s = await c.lan.waitFor(`${killed.map((h) => h.name).join(' and ')} to rejoin`, () => settledProbe(c.hosts), SETTLE_MS)
  c.t.comment(`restart: ${killed.map((h) => h.name).join(', ')} started and all ${c.hosts.length} settled after ${Date.now() - t0} ms`)
  c.t.equal(s.relay, relay, `the relay is still ${relay.name}; ${killed.map((h) => h.name).join(' and ')} rejoined as clients`)
  for (const h of killed) c.t.equal(s.statuses[c.hosts.indexOf(h)]?.role, 'client', `${h.name} is a client`)
}

async function cutCable(c: Chaos): Promise<void> {
  const { relay, client } = await anyClient(c)
  const roles: string[] = []
  await client.cutLink()
  const t0 = Date.now()
  try {
    while (Date.now() - t0 < 8_000) {
      await sleep(1_000)
      const st = await client.status().catch(() => undefined)
      roles.push(`${Math.round((Date.now() - t0) / 1000)}s:${st ? `${st.role} t${st.term}` : '?'}`)
    }
  } finally {
    await client.restoreLink()
  }
  const cutMs = Date.now() - t0
  const s = await settle(c, 'after the cable is back')
  c.t.comment(
    `cut ${client.name}'s cable for ${cutMs} ms; its view meanwhile: ${roles.join(' ')}; ` +
      `after restore: relay ${s?.relay.name ?? '?'} (was ${relay.name})`,
  )
  if (s && s.relay !== relay) c.notes.push(`note: after ${client.name}'s cut cable the relay moved from ${relay.name} to ${s.relay.name}`)
}

async function splitBridge(c: Chaos): Promise<void> {
  const a = c.hosts.slice(0, 2)
  const b = c.hosts.slice(2)
  const before = await currentRelay(c)
  await c.lan.split(a, b)
  const t0 = Date.now()
  const seen: string[] = []
  let sideRelays = { a: '', b: '' }
  let lastRelays: string[][] = []
  try {
    while (Date.now() - t0 < 10_000) {
      await sleep(1_000)
      const [sa, sb] = await Promise.all(
        [a, b].map((g) =>
          settledProbe(g).then(
            (s) => s.relay.name,
            () => '',
          ),
        ),
      )
      sideRelays = { a: sa ?? '', b: sb ?? '' }
      const st = await Promise.all(c.hosts.map((h) => h.status().catch(() => undefined)))
      if (st.every(Boolean)) seen.push(`${Math.round((Date.now() - t0) / 1000)}s ${describeRoles(c.hosts, st as Status[])}`)
      lastRelays = [a, b].map((g) =>
        g.filter((h) => st[c.hosts.indexOf(h)]?.role === 'relay').map((h) => `${h.name} t${st[c.hosts.indexOf(h)]?.term}`),
      )
    }
  } finally {
    await c.lan.heal()
  }
  const splitMs = Date.now() - t0
  c.t.comment(
    `split for ${splitMs} ms (relay before: ${before.name}); ` +
      `at the end each side settled on: {h1,h2} → ${sideRelays.a || 'nothing settled'}, {h3,h4,h5} → ${sideRelays.b || 'nothing settled'}`,
  )
  c.t.comment(`during the split: ${seen.slice(-3).join(' || ')}`)
  for (const [i, side] of lastRelays.entries()) {
    if (side.length > 1)
      c.notes.push(
        `note: at the end of the split, side ${i === 0 ? '{h1,h2}' : '{h3,h4,h5}'} had ${side.length} relays: ${side.join(', ')}`,
      )
  }
  const t1 = Date.now()
  const s = await settle(c, 'after the split healed')
  if (s) c.t.comment(`heal: one relay (${s.relay.name}, term ${s.relayStatus.term}) ${Date.now() - t1} ms after healing`)
}

async function killDuringCatchUp(c: Chaos): Promise<void> {
  const { relay, client: victim } = await anyClient(c)
  const sender = c.senders[c.hosts.indexOf(victim)]!
  const burster = c.hosts.find((h) => h !== victim && h !== relay) ?? relay
  const bi = c.hosts.indexOf(burster)
  sender.paused = true
  const headAtStop = (await victim.status()).head
  goingDown(c, victim)
  await victim.stop()
  c.t.comment(`catch-up: stopped ${victim.name} (SIGTERM; exit ${JSON.stringify(victim.lastExit)}) at head ${headAtStop}`)

  const b = await burst(burster, c.tokens[bi]!, bi + 1, 1, 1500, 32, 60_000)
  c.bursts.push(...b.records)
  const bt = tally(b.records)
  c.t.comment(
    `catch-up: burst of ${bt.sent} POSTs from ${burster.name} in ${b.ms} ms ` +
      `(${Math.round((bt.sent * 1000) / b.ms)}/s): ${bt.acked} acked, ${bt.pending} pending, ${bt.failed} failed`,
  )
  const target = (await relay.status()).head

  // Start it and SIGKILL it once it is catching up (its head moved), at the latest 5 s in.
  const t0 = Date.now()
  const starting = victim.start().catch(() => undefined)
  let headAtKill = -1
  while (Date.now() - t0 < 5_000) {
    const st = await victim.status().catch(() => undefined)
    if (st && st.head > headAtStop) {
      headAtKill = st.head
      break
    }
    await sleep(15)
  }
  await victim.kill()
  const killMs = Date.now() - t0
  await starting
  c.t.comment(
    `catch-up: SIGKILL ${victim.name} ${killMs} ms after start at head ${headAtKill} ` +
      `(${headAtKill < 0 ? 'before it had caught up anything' : `${headAtKill - headAtStop} of ${target - headAtStop} entries in`}); target head ${target}`,
  )
  if (headAtKill < 0 || headAtKill >= target)
    c.notes.push(`note: step 6 kill was not strictly mid-catch-up (head ${headAtKill}, from ${headAtStop} to ${target})`)

  // Start it again and watch its head from spawn on: when it answers, when it moves, when done.
  const t1 = Date.now()
  const again = victim.start().then(
    () => {
      backUp(c, victim)
      return Date.now() - t1
    },
    (err: Error) => {
      c.t.fail(err.message)
      return -1
    },
  )
  let firstAnswer: { ms: number; head: number } | undefined
  let doneMs: number | undefined
  while (Date.now() - t1 < SETTLE_MS) {
    const st = await victim.status().catch(() => undefined)
    if (st) {
      firstAnswer ??= { ms: Date.now() - t1, head: st.head }
      if (st.head >= target) {
        doneMs = Date.now() - t1
        break
      }
    }
    await sleep(25)
  }
  const startedMs = await again
  sender.paused = false
  if (doneMs === undefined) c.t.fail(`${victim.name} did not reach head ${target} within ${SETTLE_MS} ms of its restart`)
  else {
    const from = firstAnswer!.head
    const span = doneMs - firstAnswer!.ms
    c.t.comment(
      `catch-up: restarted ${victim.name}; it answered ${firstAnswer!.ms} ms after spawn at head ${from} (start() resolved after ${startedMs} ms); ` +
        `head ${target} reached ${doneMs} ms after spawn: ${target - from} entries in ${span} ms after its first answer` +
        (span > 0 ? ` ≈ ${Math.round(((target - from) * 1000) / span)} entries/s` : ''),
    )
    c.catchUp.push(
      `${target - headAtStop} entries behind; ${doneMs} ms from spawn to caught up (the killed start had applied ${Math.max(headAtKill - headAtStop, 0)})`,
    )
  }
  rejoinedAsClient(c, victim, relay, await settle(c, 'after the catch-up'))
}

async function killDuringBurst(c: Chaos): Promise<void> {
  const { relay, client: victim } = await anyClient(c)
  const i = c.hosts.indexOf(victim)
  let killing: Promise<void> | undefined
  let ackedAtKill = 0
  const t0 = Date.now()
  const b = await burst(
    victim,
    c.tokens[i]!,
    i + 1,
    2,
    800,
    16,
    30_000,
    (_rec, done) => {
      if (!killing && (done >= 60 || Date.now() - t0 > 3_000)) {
        ackedAtKill = done
        goingDown(c, victim)
        killing = victim.kill()
      }
    },
    () => killing !== undefined,
  )
  await killing
  c.bursts.push(...b.records)
  const bt = tally(b.records)
  c.t.comment(
    `kill while writing: SIGKILL ${victim.name} after ${ackedAtKill} answers of its burst (${Date.now() - t0} ms in); ` +
      `burst: ${bt.sent} POSTs, ${bt.acked} acked, ${bt.pending} pending, ${bt.failed} failed`,
  )
  c.senders[i]!.paused = true
  await victim.start()
  backUp(c, victim)
  c.senders[i]!.paused = false
  rejoinedAsClient(c, victim, relay, await settle(c, `after ${victim.name} restarted`))
}

/** A restarted client comes back as a client of the relay it left (it must not take over). */
function rejoinedAsClient(c: Chaos, victim: Host, relay: Host, s: Settled | undefined): void {
  if (!s) return // settle already failed the test
  c.t.equal(
    s.relay.name,
    relay.name,
    `${victim.name} rejoined as a client; ${relay.name} is still the relay` +
      (s.relay === relay ? '' : ` (now ${s.relay.name}, term ${s.relayStatus.term})`),
  )
}

async function outboxSize(h: Host, token: string): Promise<number> {
  const res = await h.api<OutboxResponse>('GET', '/api/v1/outbox', undefined, bearer(token))
  if (res.status !== 200 || !Array.isArray(res.body?.pending)) throw new Error(`${h.name}: outbox answered ${res.status}`)
  return res.body.pending.length
}

async function finalAudit(c: Chaos): Promise<void> {
  const { t, hosts, lan } = c
  const records = [...c.senders.flatMap((s) => s.records), ...c.bursts]
  const mustHave = records.filter((r) => r.outcome !== 'failed')

  // Everything running again, one relay, equal heads, empty outboxes, everything there.
  const t0 = Date.now()
  for (const h of hosts)
    if (!h.running)
      await h.start().then(
        () => backUp(c, h),
        (err: Error) => t.fail(err.message),
      )
  const drained = await lan
    .waitFor(
      'equal heads, empty outboxes and every acked/pending message on the relay',
      async () => {
        const s = await settledProbe(hosts)
        const heads = s.statuses.map((st) => st.head)
        if (heads.some((h) => h !== heads[0])) throw new Error(`heads ${heads.join(', ')}`)
        const outboxes = await Promise.all(hosts.map((h, i) => outboxSize(h, c.tokens[i]!)))
        if (outboxes.some((n) => n > 0)) throw new Error(`outboxes ${outboxes.join(', ')}; heads ${heads[0]}`)
        const texts = new Set((await readAll(s.relay, c.tokens[hosts.indexOf(s.relay)]!)).map((m) => m.text))
        const absent = mustHave.filter((r) => !texts.has(r.text)).length
        if (absent > 0) throw new Error(`${absent} acked/pending messages not on ${s.relay.name}; heads ${heads[0]}`)
        return s
      },
      DRAIN_MS,
    )
    .catch((err: Error) => {
      t.fail(err.message)
      return undefined
    })
  t.comment(`drain: ${drained ? `done in ${Date.now() - t0} ms` : 'NOT done'}`)

  const statuses = await Promise.all(hosts.map((h) => h.status()))
  const logs = new Map<Host, Message[]>()
  for (const h of hosts) logs.set(h, await readAll(h, c.tokens[hosts.indexOf(h)]!))

  if (process.env.SOCHAT_KEEP_DATA === '1') {
    const file = path.join(path.dirname(hosts[0]!.dataDir), `${path.basename(hosts[0]!.dataDir).replace(/-h1-.*$/, '')}-chaos-records.json`)
    writeFileSync(file, JSON.stringify({ records, logs: Object.fromEntries([...logs].map(([h, l]) => [h.name, l])) }))
    t.comment(`SOCHAT_KEEP_DATA: what was sent and every replica's log are in ${file}`)
  }
  const all = tally(records)
  const loops = tally(c.senders.flatMap((s) => s.records))
  t.comment(
    `sent ${all.sent} (loops ${loops.sent}, bursts ${all.sent - loops.sent}); acknowledged 201: ${all.acked}; ` +
      `pending 202: ${all.pending}; failed to submit: ${all.failed}; skipped while down: ${c.senders.reduce((n, s) => n + s.skipped, 0)} ticks`,
  )
  for (const s of c.senders) {
    const ts = tally(s.records)
    const statusCounts = new Map<number, number>()
    for (const r of s.records) statusCounts.set(r.status, (statusCounts.get(r.status) ?? 0) + 1)
    const errors = [...new Set(s.records.filter((r) => r.error).map((r) => r.error!.replace(/u\d+#\d+/g, '…').slice(0, 80)))].slice(0, 3)
    t.comment(
      `  ${s.host.name}: sent ${ts.sent}, 201 ${ts.acked}, 202 ${ts.pending}, failed ${ts.failed} ` +
        `(statuses ${[...statusCounts].map(([k, v]) => `${k}×${v}`).join(' ')})${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`,
    )
  }

  const unexcused = records.filter((r) => r.outcome === 'failed' && !excused(c, r))
  t.equal(
    unexcused.length,
    0,
    `no POST failed while its host was up${
      unexcused.length
        ? ` — ${unexcused.length}: ${JSON.stringify(unexcused.slice(0, 5).map((r) => ({ text: r.text, status: r.status, error: r.error, at: new Date(r.at).toISOString() })))}`
        : ''
    }`,
  )

  const reference = drained?.relay ?? hosts[0]!
  const refLog = logs.get(reference)!
  for (const h of hosts) {
    const log = logs.get(h)!
    const a = auditReplica(h.name, log, records, statuses[hosts.indexOf(h)]!.head)
    const show = <T>(xs: T[]): string => JSON.stringify(xs.slice(0, 5))
    t.comment(
      `${h.name}: ${a.count} messages (head ${a.head}); found ${records.length - a.missing.length - (all.failed - a.failedFound)} ` +
        `of ${all.sent} sent; failed-to-submit found anyway: ${a.failedFound}; 201s re-sequenced: ${a.reseq}`,
    )
    t.equal(
      a.missing.length,
      0,
      `${h.name}: every 201/202 message present` +
        (a.missing.length
          ? ` — missing ${a.missing.length}: ${show(a.missing.map((r) => `${r.text} ${r.outcome} id ${r.id} seq ${r.seq}`))}`
          : ''),
    )
    t.equal(
      a.duplicates.length,
      0,
      `${h.name}: no text twice${a.duplicates.length ? ` — ${a.duplicates.length}: ${show(a.duplicates)}` : ''}`,
    )
    t.equal(
      a.reordered.length,
      0,
      `${h.name}: per-sender order preserved${a.reordered.length ? ` — ${a.reordered.length}: ${show(a.reordered)}` : ''}`,
    )
    t.equal(
      a.idChanged.length,
      0,
      `${h.name}: every message kept the id its POST answered${a.idChanged.length ? ` — ${show(a.idChanged)}` : ''}`,
    )
    t.equal(a.unknown.length, 0, `${h.name}: no message nobody sent${a.unknown.length ? ` — ${show(a.unknown)}` : ''}`)
    t.equal(a.wrongAuthor.length, 0, `${h.name}: authors match senders${a.wrongAuthor.length ? ` — ${show(a.wrongAuthor)}` : ''}`)
    if (h !== reference) {
      const diff = compareLogs(refLog, log)
      t.equal(
        diff,
        undefined,
        `${h.name} holds the same (seq, id) list as ${reference.name}${diff ? ` — first difference at ${diff}` : ''}`,
      )
    }
  }

  const cli: Status[] = []
  for (const h of hosts) {
    const t1 = Date.now()
    try {
      cli.push(await cliStatus(h))
    } catch (err) {
      t.fail(
        `${(err as Error).message} (after ${Date.now() - t1} ms; API status: ${JSON.stringify(await h.status().catch((e: Error) => e.message)).slice(0, 300)})`,
      )
      return
    }
  }
  t.comment(
    `sochat status --json: ${cli.map((s, i) => `${hosts[i]!.name}=${s.role}→${s.relayId?.slice(0, 8)} head ${s.head}`).join(' | ')}`,
  )
  t.equal(new Set(cli.map((s) => s.relayId)).size, 1, 'sochat status --json: the same relayId on every host')
  t.ok(cli[0]!.relayId, 'and it is set')
}

function cliStatus(h: Host): Promise<Status> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI_PATH, 'status', '--data-dir', h.dataDir, '--json'],
      { cwd: REPO_ROOT, env: cleanEnv(), timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as Error & { code?: unknown; signal?: unknown; killed?: boolean }
          const why = `exit ${String(e.code)} signal ${String(e.signal)} killed ${e.killed}; stderr: ${String(stderr).trim()}; stdout: ${String(stdout).trim()}`
          return reject(new Error(`sochat status --json on ${h.name} failed: ${why.replace(/\n/g, ' ⏎ ')}`))
        }
        try {
          resolve(JSON.parse(String(stdout)) as Status)
        } catch {
          reject(new Error(`sochat status on ${h.name} printed no JSON: ${String(stdout).slice(0, 200)}`))
        }
      },
    )
  })
}
