/**
 * Multi-host integration: real daemons in network namespaces on a private bridge, finding
 * each other by real mDNS. Needs root and iproute2 (skipped otherwise); see README.md here.
 * Timings (election, message crossing) are printed as `# ...` comments.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { Test } from 'tap'
import type { Status } from '../../shared/index.js'
import type { CaseResult } from './fixtures/raw-link.js'
import { canBuildLan, createLan, jsonLines, REPO_ROOT, sleep, type Host, type Lan } from './harness.js'
import { awaitMessage, describeRoles, logIn, messages, post, sameHead, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const skip = can.ok ? false : can.reason
const RAW_LINK = path.join(REPO_ROOT, 'test', 'multihost', 'fixtures', 'raw-link.ts')
const PASSWORD = 'correct horse battery'
const TEXT = 'Hi from h2 👋🏽🇫🇷 — <b>html</b> & "quotes" <script>alert(1)</script> ünïcödé'
const ELECTION_MS = 15_000

/** What the 3-host steps hand on to each other; a step whose inputs are missing fails fast. */
interface Ctx {
  lan: Lan
  relay?: Host
  term?: number
  tokens: Map<Host, string>
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`an earlier step failed: no ${what}`)
  return value
}

t.test('a LAN of three daemons, then four', { skip }, async (t) => {
  const ctx: Ctx = { lan: await createLan(t, 3), tokens: new Map() }
  await t.test('1. three daemons started together elect exactly one relay', (t) => election(t, ctx))
  await t.test('2. a message posted on h2 reaches h3 and h1 byte-identical', (t) => crossing(t, ctx))
  await t.test('3. a host started later joins the existing relay', (t) => lateJoiner(t, ctx))
  await t.test('4. accounts work on every host', (t) => accounts(t, ctx))
  await t.test('6. bad input on the peer link is refused and harmless', (t) => badInput(t, ctx))
  await t.test('7. SIGTERM stops a client daemon promptly; the relay drops it', (t) => cleanStop(t, ctx))
})

async function election(t: Test, ctx: Ctx): Promise<void> {
  const hosts = ctx.lan.hosts
  const t0 = Date.now()
  await Promise.all(hosts.map((h) => h.start()))
  const upMs = Date.now() - t0
  const settled = await ctx.lan.waitFor('one relay and two clients of it', () => settledProbe(hosts), ELECTION_MS)
  const joinedMs = Date.now() - t0
  t.comment(`election: all 3 daemons answering after ${upMs} ms, all joined after ${joinedMs} ms`)
  const { relay, relayStatus, statuses } = settled
  t.equal(statuses.filter((s) => s.role === 'relay').length, 1, 'exactly one relay')
  t.equal(statuses.filter((s) => s.role === 'client').length, 2, 'two clients')
  t.ok(
    statuses.every((s) => s.term === relayStatus.term),
    `all agree on term ${relayStatus.term}`,
  )
  t.ok(
    statuses.every((s) => s.relayId === relayStatus.nodeId || s.nodeId === relayStatus.nodeId),
    'clients follow it',
  )
  t.equal(new Set(statuses.map((s) => s.nodeId)).size, 3, 'node ids are distinct')
  t.ok(
    statuses.filter((s) => s.role === 'client').every((s) => s.relayName === relay.name),
    'clients name the relay',
  )

  // Settled must mean stable: no second relay, no new term, a moment later.
  await sleep(2_000)
  const again = await settledProbe(hosts)
  t.equal(again.relay, relay, `relay still ${relay.name} after 2 s`)
  t.equal(again.relayStatus.term, relayStatus.term, 'term unchanged after 2 s')

  const clientIds = statuses.filter((s) => s.role === 'client').map((s) => s.nodeId)
  await ctx.lan.waitFor(
    'the relay to list both clients as peers',
    async () => {
      const ids = (await relay.status()).peers.map((p) => p.nodeId)
      if (!clientIds.every((id) => ids.includes(id))) throw new Error(`relay peers: ${ids.join(', ') || 'none'}`)
      return true
    },
    5_000,
  )
  t.pass('relay lists both clients as peers')
  // What `sochat status` reports about reach: mDNS was heard from the other machines.
  for (const host of hosts) {
    const { reach } = await host.status()
    t.match(reach.mdns, { state: 'listening', address: host.ip }, `${host.name}: mDNS listening on its bridge address`)
    t.type(reach.mdns.lastHeard, 'number', `${host.name}: heard another machine's mDNS`)
  }
  ctx.relay = relay
  ctx.term = relayStatus.term
}

async function crossing(t: Test, ctx: Ctx): Promise<void> {
  need(ctx.relay, 'relay')
  const [h1, h2, h3] = ctx.lan.hosts as [Host, Host, Host]
  await signUp(h2, 'alice', PASSWORD)
  const s2 = await logIn(h2, 'alice', PASSWORD)
  t.equal(s2.username, 'alice', 'logged in on h2')
  ctx.tokens.set(h2, s2.token)
  // Log in elsewhere only once the account is everywhere: failed log-ins are rate-limited.
  await ctx.lan.waitFor('the account on every host', () => sameHead([h1, h2, h3], 1), 10_000)
  for (const h of [h1, h3]) ctx.tokens.set(h, (await logIn(h, 'alice', PASSWORD)).token)

  const t0 = Date.now()
  const sent = await post(h2, s2.token, TEXT)
  const postMs = Date.now() - t0
  t.equal(sent.text, TEXT, 'the post echoes the text')
  t.equal(sent.author, 'alice')
  for (const h of [h3, h1]) {
    const { message, ms } = await awaitMessage(h, ctx.tokens.get(h)!, sent.id, t0)
    t.comment(`message crossing h2 → ${h.name}: ${ms} ms after POST (POST itself took ${postMs} ms)`)
    t.ok(Buffer.from(message.text, 'utf8').equals(Buffer.from(TEXT, 'utf8')), `text byte-identical on ${h.name}`)
    t.equal(message.author, 'alice', `author on ${h.name}`)
    t.equal(message.room, 'general', `room on ${h.name}`)
    if (typeof sent.seq === 'number' && sent.seq > 0) t.equal(message.seq, sent.seq, `same seq on ${h.name}`)
  }
}

async function lateJoiner(t: Test, ctx: Ctx): Promise<void> {
  const relay = need(ctx.relay, 'relay')
  const term = need(ctx.term, 'term')
  const before = await relay.status()
  const h4 = await ctx.lan.addHost()
  const t0 = Date.now()
  await h4.start()
  const s4 = await ctx.lan.waitFor(
    `${h4.name} to follow ${relay.name}`,
    async () => {
      const s = await h4.status()
      if (s.role !== 'client' || s.relayId !== before.nodeId) throw new Error(describeRoles([h4], [s]))
      return s
    },
    ELECTION_MS,
  )
  t.comment(`late joiner: ${h4.name} joined the relay ${Date.now() - t0} ms after start`)
  t.equal(s4.term, term, `${h4.name} is on the existing term`)
  const after = await relay.status()
  t.equal(after.role, 'relay', `${relay.name} is still relay`)
  t.equal(after.term, term, 'term unchanged')
  const settled = await settledProbe(ctx.lan.hosts)
  t.equal(settled.relay, relay, 'still exactly one relay among four')
  const head = await ctx.lan.waitFor(`${h4.name} to catch up`, () => sameHead(ctx.lan.hosts, before.head), 10_000)
  t.equal(head, before.head, `${h4.name} replicated the whole log (head ${head})`)
  const token = (await logIn(h4, 'alice', PASSWORD)).token
  ctx.tokens.set(h4, token)
  t.ok(
    (await messages(h4, token)).some((m) => m.text === TEXT),
    `${h4.name} has the earlier message`,
  )
}

async function accounts(t: Test, ctx: Ctx): Promise<void> {
  need(ctx.relay, 'relay')
  const [h1, h2, h3] = ctx.lan.hosts as [Host, Host, Host]
  const ok = await h3.api('POST', '/api/v1/sessions', { username: 'alice', password: PASSWORD })
  t.equal(ok.status, 201, 'log-in on h3 with the account made on h2')
  t.equal(ok.body?.username, 'alice')
  t.type(ok.body?.token, 'string')

  const wrong = await h3.api('POST', '/api/v1/sessions', { username: 'alice', password: `${PASSWORD}!` })
  t.equal(wrong.status, 401, 'wrong password → 401')
  t.equal(wrong.body?.error?.code, 'wrong_credentials')
  const nobody = await h1.api('POST', '/api/v1/sessions', { username: 'nobody-here', password: PASSWORD })
  t.equal(nobody.status, 401, 'unknown user → 401 too')
  t.equal(nobody.body?.error?.code, 'wrong_credentials', 'same code: no user enumeration')

  for (const [host, name] of [
    [h1, 'ALICE'],
    [h2, 'Alice'],
  ] as const) {
    const taken = await host.api('POST', '/api/v1/accounts', { username: name, password: PASSWORD })
    t.equal(taken.status, 409, `${name} on ${host.name} → 409 (usernames are case-insensitive)`)
    t.equal(taken.body?.error?.code, 'username_taken')
  }
}

async function badInput(t: Test, ctx: Ctx): Promise<void> {
  const relay = need(ctx.relay, 'relay')
  const token = need(ctx.tokens.get(relay), 'session on the relay host')
  const attacker = ctx.lan.hosts.find((h) => h !== relay)!
  const before: Status = await relay.status()
  const countBefore = (await messages(relay, token)).length
  const url = `wss://${relay.ip}:${before.peerPort}/peer/v1/link`
  const target = { host: relay.ip, port: before.peerPort, network: before.network, keyFile: ctx.lan.networkKeyFile() }
  const out = await attacker.runScript(RAW_LINK, [JSON.stringify(target)], 60_000)
  const cases = new Map((jsonLines<{ cases: CaseResult[] }>(out)[0]?.cases ?? []).map((c) => [c.name, c]))
  t.comment(`raw link from ${attacker.name} to ${url}: ${JSON.stringify([...cases.values()])}`)

  const control = need(cases.get('control'), 'control case result')
  t.ok(control.opened && control.frameTypes.includes('welcome'), 'control: a valid hello is welcomed (the probe reaches the link)')
  const expected: Record<string, string[]> = {
    non_json: ['frame_invalid'],
    too_large: ['frame_too_large', 'frame_invalid'],
    bad_proto: ['protocol_mismatch'],
    bad_network: ['network_mismatch'],
  }
  for (const [name, codes] of Object.entries(expected)) {
    const c = cases.get(name)
    if (!c) {
      t.fail(`${name}: no result`)
      continue
    }
    t.ok(c.opened, `${name}: upgrade accepted`)
    t.ok(c.closed || c.errorCodes.length > 0, `${name}: refused (closed ${c.closed}/${c.closeCode}, errors [${c.errorCodes}])`)
    t.notOk(c.frameTypes.includes('welcome'), `${name}: not welcomed`)
    for (const code of c.errorCodes) t.ok(codes.includes(code), `${name}: error code ${code} is one of ${codes.join('/')}`)
  }
  const stranger = need(cases.get('stranger'), 'stranger case result')
  t.notOk(stranger.opened, 'stranger: a machine without the network key gets no link (403 not_admitted)')
  t.same(stranger.frameTypes, [], 'stranger: not one frame')

  t.ok(relay.running, 'relay process still running')
  const after = await relay.status()
  t.equal(after.role, 'relay', 'still relay')
  t.equal(after.term, before.term, 'term unchanged')
  t.equal(after.head, before.head, 'log head unchanged')
  t.equal((await messages(relay, token)).length, countBefore, 'message count unchanged')

  // And it still serves its real clients.
  const from = ctx.lan.hosts.find((h) => h !== relay && ctx.tokens.has(h))!
  const to = ctx.lan.hosts.find((h) => h !== relay && h !== from && ctx.tokens.has(h))!
  const t0 = Date.now()
  const sent = await post(from, ctx.tokens.get(from)!, 'still here after the noise')
  const { ms } = await awaitMessage(to, ctx.tokens.get(to)!, sent.id, t0)
  t.pass(`a message from ${from.name} still reaches ${to.name} (${ms} ms)`)
}

async function cleanStop(t: Test, ctx: Ctx): Promise<void> {
  const relay = need(ctx.relay, 'relay')
  const leaver = ctx.lan.hosts.at(-1)!
  const { nodeId } = await leaver.status()
  await leaver.stop()
  const exit = leaver.lastExit
  t.comment(`${leaver.name} after SIGTERM: ${JSON.stringify(exit)}`)
  t.equal(exit?.forced, false, `${leaver.name} exited by itself within 5 s of SIGTERM (no SIGKILL needed)`)
  t.equal(exit?.code, 0, 'with exit code 0')
  await ctx.lan.waitFor(
    `${relay.name} to drop ${leaver.name} from its peers`,
    async () => {
      const ids = (await relay.status()).peers.map((p) => p.nodeId)
      if (ids.includes(nodeId)) throw new Error(`still listed: ${ids.join(', ')}`)
      return true
    },
    10_000,
  )
  t.pass(`${relay.name} no longer lists ${leaver.name}`)
  const rest = ctx.lan.hosts.filter((h) => h !== leaver)
  t.equal((await settledProbe(rest)).relay, relay, 'the others keep the same relay')
}

t.test('5. two daemons started together settle on one relay', { skip }, async (t) => {
  const budgetEnd = Date.now() + 75_000
  for (let round = 1; round <= 3; round++) {
    if (round > 1 && Date.now() > budgetEnd) {
      t.comment(`stopping after ${round - 1} rounds: time budget used`)
      break
    }
    await t.test(`round ${round}: fresh data dirs`, async (t) => {
      const lan = await createLan(t, 2)
      const t0 = Date.now()
      await Promise.all(lan.hosts.map((h) => h.start()))
      const first = await lan.waitFor('one relay and one client', () => settledProbe(lan.hosts), ELECTION_MS)
      t.comment(`round ${round}: settled after ${Date.now() - t0} ms, relay ${first.relay.name}, term ${first.relayStatus.term}`)
      await sleep(3_000)
      const later = await settledProbe(lan.hosts)
      t.equal(later.relay, first.relay, 'the same relay 3 s later')
      t.equal(later.relayStatus.term, first.relayStatus.term, 'the same term 3 s later')
      t.equal(later.statuses.filter((s) => s.role === 'relay').length, 1, 'not both relay')
      // Not even for a moment: one promoted, none had to step down (a merge would have).
      const promoted = lan.hosts.filter((h) => readFileSync(h.logPath, 'utf8').includes('this daemon is now the relay'))
      t.same(
        promoted.map((h) => h.name),
        [first.relay.name],
        'only the relay ever promoted (discovery window and election agreed)',
      )
    })
  }
})
