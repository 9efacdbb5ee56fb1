/**
 * The relay's limits against raw links on loopback (a real peer server, store and relay; each
 * client a machine key of its own, over TLS from its own 127.0.0.x address, so the relay sees
 * 20 machines): a burst of hellos that each want the whole log gets no more catch-ups at once
 * than the cap, a few wait their turn and the rest are told `busy` and closed, and one machine
 * gets one catch-up whatever address it comes from; a flood of submissions on one link is
 * ordered no faster than its machine's budget (the relay's clock is played), held ones keep
 * their order, too many close the link with `rate_limited`, and linking again does not refill
 * the budget; an account posting from two machines is held at the account's rate; meanwhile a
 * well-behaved link is served.
 */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import pino from 'pino'
import WebSocket from 'ws'
import { PROTOCOL_VERSION, type Entry, type Hello, type Submission } from '../../../shared/index.js'
import { Relay, type RelayLimits } from '../../../daemon/relay/index.js'
import type { SubmitLimits } from '../../../daemon/relay/limits.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'
import { clientProof, machine, networkKey, peerServer, tlsTo, type Machine } from '../../lib/peer-tls.js'

const NETWORK = 'default'
/** Smaller than the relay's own budgets (limits.ts), so a flood past them is quick to send. */
const MACHINE_LIMITS: Required<SubmitLimits> = { submitsPerSecond: 200, submitBurst: 1000, bytesPerMinute: 16 * 1024 * 1024 }
const HOLD_LIMITS = { maxHeld: 2000, maxHeldBytes: 8 * 1024 * 1024 }
/** These tests' machine budgets, with the relay's own account budget (larger, so not what they meet). */
const PACED = { machine: MACHINE_LIMITS, hold: HOLD_LIMITS }
const LINK_LIMITS = { ...MACHINE_LIMITS, ...HOLD_LIMITS }
const people = new TestPeople('alice')
let n = 0
const newId = () => `lim-${String(++n).padStart(8, '0')}`
const post = (text: string, id = newId()): Submission =>
  people.sign({ id, ts: Date.now(), origin: 'c'.repeat(16), body: { type: 'message.posted', room: 'general', author: 'alice', text } })

/** The relay's network: each raw link is a machine of its own holding this key. */
const KEY = networkKey()
const newMachine = () => machine(KEY)

async function relayOnLoopback(t: Test, limits: Partial<RelayLimits> = {}) {
  const relayMachine = machine(KEY)
  const store = await Store.open(join(t.testdir(), 'db'))
  const replica = new Replica(store)
  const relay = new Relay(
    replica,
    1,
    {
      nodeId: relayMachine.identity.nodeId,
      name: 'relay',
      network: NETWORK,
      peerPort: 0,
      startedAt: Date.now(),
      presence: () => ({ users: [], away: [] }),
      hasBlob: async () => false,
      maxFileBytes: 1024 * 1024,
    },
    pino({ level: 'silent' }),
    { roster: () => undefined, typing: () => undefined },
    limits,
  )
  const server = await peerServer(t, relayMachine, {
    advert: () => {
      throw new Error('not asked')
    },
    onLink: (conn) => relay.attach(conn),
  })
  t.teardown(async () => {
    relay.stop('test over')
    await store.close()
  })
  const signUp: Submission = people.sign({ id: newId(), ts: Date.now(), origin: 'c'.repeat(16), body: people.created('alice') })
  t.match(await relay.order(signUp), { ok: true })
  return { relay, replica, store, port: server.port }
}

/**
 * A raw link: a machine of its own (a member: it proves the network key over its TLS session),
 * what the relay sent it, and how it ended. `ws` exists once `opened` resolved.
 */
class RawLink {
  ws!: WebSocket
  readonly frames: { type: string; code?: string; message?: string; seq?: number; id?: string; entries?: Entry[] }[] = []
  closed = false
  readonly opened: Promise<void>
  constructor(
    port: number,
    localAddress: string,
    onFrame: (link: RawLink) => void = () => undefined,
    /** Its machine: a new one unless given (the same machine linking again). */
    readonly machine: Machine = newMachine(),
  ) {
    this.opened = tlsTo(port, this.machine, { localAddress }).then(
      (socket) =>
        new Promise<void>((resolve, reject) => {
          this.ws = new WebSocket(`wss://127.0.0.1:${port}/peer/v1/link`, {
            createConnection: () => socket,
            headers: clientProof(KEY, socket),
            maxPayload: 64 * 1024 * 1024,
          })
          this.ws.once('open', resolve).once('error', reject)
          this.ws.on('message', (data) => {
            this.frames.push(JSON.parse(String(data)))
            onFrame(this)
          })
          this.ws.on('close', () => (this.closed = true))
          this.ws.on('error', () => undefined)
        }),
    )
  }

  /** A hello; its node id is this link's machine's unless `nodeId` says otherwise. */
  hello(head: number, checkpoints: Hello['checkpoints'] = [], nodeId = this.machine.identity.nodeId): void {
    const hello: Hello = {
      type: 'hello',
      proto: PROTOCOL_VERSION,
      network: NETWORK,
      nodeId,
      name: 'raw',
      startedAt: Date.now(),
      peerPort: 1,
      head,
      checkpoints,
    }
    this.ws.send(JSON.stringify(hello))
  }

  submit(s: Submission): void {
    this.ws.send(JSON.stringify({ type: 'submit', submission: s }))
  }

  of(type: string) {
    return this.frames.filter((f) => f.type === type)
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A link that has the relay's whole log: it needs no catch-up. */
async function upToDate(port: number, store: Store, address = '127.0.0.1', as: Machine = newMachine()): Promise<RawLink> {
  const link = new RawLink(port, address, undefined, as)
  await link.opened
  const head = store.log.head
  link.hello(head, [{ seq: head, id: (await store.log.get(head))!.id }])
  await until('a welcome', () => link.of('welcome').length === 1)
  return link
}

t.test(
  '20 hellos with head 0 at once: at most 4 catch-ups run, 6 wait their turn, the rest are told busy, and others are served',
  async (t) => {
    const { relay, store, port } = await relayOnLoopback(t, { catchUps: { perMachine: 1, overall: 4, waiting: 6, waitMs: 60_000 } })
    // A log of about 24 MB: more than a stalled client's socket buffers take, so a catch-up
    // to a client that stops reading cannot finish while we look.
    const text = 'x'.repeat(15_000)
    await Promise.all(Array.from({ length: 1600 }, () => relay.order(post(text))))
    const head = store.log.head
    t.equal(head, 1601)

    // Each stops reading once welcomed: its catch-up stays running. (A refused one reads on, to
    // see the close that follows its error: over TLS the two may come in separate reads.)
    const links = Array.from(
      { length: 20 },
      (_, i) => new RawLink(port, `127.0.0.${i + 10}`, (l) => l.frames.length === 1 && l.frames[0]!.type === 'welcome' && l.ws.pause()),
    )
    await Promise.all(links.map((l) => l.opened))
    for (const l of links) l.hello(0)
    const welcomed = () => links.filter((l) => l.of('welcome').length > 0)
    const refused = () => links.filter((l) => l.closed && l.of('error').length > 0)
    await until('every hello answered but the waiting', () => welcomed().length + refused().length === 14)
    t.equal(welcomed().length, 4, 'four are streamed the log')
    t.equal(refused().length, 10, 'ten are refused')
    t.same(new Set(refused().flatMap((l) => l.of('error').map((f) => f.code))), new Set(['busy']), 'with busy')
    const waiting = links.filter((l) => !l.closed && l.of('welcome').length === 0)
    t.equal(waiting.length, 6, 'six wait their turn, linked and unanswered')
    t.ok(
      welcomed().every((l) => !l.closed),
      'the four stay linked',
    )

    // The same machine again, from another address, while its catch-up runs, with the waiting room full: busy.
    const streamed = welcomed()[0]!
    const again = new RawLink(port, '127.0.0.9', undefined, streamed.machine)
    await again.opened
    again.hello(0)
    await until('an answer', () => again.closed)
    t.match(
      again.of('error'),
      [{ code: 'busy', message: new RegExp(`already sending its log to machine ${streamed.machine.identity.nodeId}`) }],
      'a second catch-up to one machine is refused, whatever address it comes from',
    )

    // Meanwhile a machine that needs no catch-up links and posts.
    const normal = await upToDate(port, store, '127.0.0.2')
    const mine = post('still here')
    normal.submit(mine)
    await until('an ack', () => normal.of('ack').length === 1)
    t.match(normal.of('ack'), [{ id: mine.id, seq: head + 1 }], 'its message is ordered')

    // The stalled ones go: the first four waiters get their turn, in the order they came.
    const firstWelcomed = welcomed()
    for (const l of firstWelcomed) l.ws.terminate()
    await until('four waiters welcomed', () => waiting.filter((l) => l.of('welcome').length > 0).length === 4)
    t.same(
      waiting.map((l) => l.of('welcome').length > 0),
      [true, true, true, true, false, false],
      'first come, first served',
    )
    // Everyone else goes too; a refused machine linking again, as a client daemon does, is then
    // streamed the whole log.
    for (const l of links) l.ws.terminate()
    let retry: RawLink | undefined
    let busy = 0
    for (;;) {
      retry = new RawLink(port, '127.0.0.29')
      await retry.opened
      retry.hello(0)
      await until('an answer', () => retry!.closed || retry!.of('welcome').length > 0)
      if (!retry.closed) break
      if (++busy >= 50) throw new Error('still busy after the stalled links closed')
      await new Promise((r) => setTimeout(r, 50))
    }
    await until('the whole log', () => retry!.of('entries').flatMap((f) => f.entries ?? []).length === head + 1)
    t.notOk(retry.closed, 'a machine refused earlier is streamed the whole log once the others are done')
    retry.ws.close()
  },
)

t.test('a flood of 5,000 submissions on one link: the burst is ordered, no more, and the link is closed', async (t) => {
  let now = 0
  const { store, port } = await relayOnLoopback(t, { now: () => now, ...PACED })
  const base = store.log.head
  // Signed before the link opens: 5,000 signatures hold this process a while, and the link's
  // heartbeats must not wait on them.
  const sent = Array.from({ length: 5000 }, (_, i) => post(`flood ${i}`))
  const flood = await upToDate(port, store, '127.0.0.3')
  for (const s of sent) flood.submit(s)
  await until('the link closed', () => flood.closed)
  t.match(flood.of('error'), [{ code: 'rate_limited' }], 'one error frame says rate_limited, which the outbox keeps for later')
  await until('the burst written', () => store.log.head === base + LINK_LIMITS.submitBurst)
  // Acks written after the close are lost with the link; the sender learns from its replica.
  t.ok(flood.of('ack').length <= LINK_LIMITS.submitBurst, 'no more acks than the burst')
  await new Promise((r) => setTimeout(r, 200))
  t.equal(store.log.head, base + LINK_LIMITS.submitBurst, 'the head grew by the burst, with the clock standing still')
  t.same(
    (await store.log.range(base + 1, 5000)).map((e) => e.id),
    sent.slice(0, LINK_LIMITS.submitBurst).map((s) => s.id),
    'the first of the flood, in the order sent',
  )
  t.equal(flood.of('reject').length, 0, 'nothing was refused on its merits: nothing leaves the sender’s outbox')

  now += 5_000
  await new Promise((r) => setTimeout(r, 200))
  t.equal(store.log.head, base + LINK_LIMITS.submitBurst, 'what was held on the closed link is not ordered later')

  const normal = await upToDate(port, store, '127.0.0.4')
  const mine = post('a normal message')
  normal.submit(mine)
  await until('an ack', () => normal.of('ack').length === 1)
  t.match(normal.of('ack'), [{ id: mine.id, seq: base + LINK_LIMITS.submitBurst + 1 }], 'another link’s message is ordered')
})

t.test('a backlog past the burst waits its turn at the sustained rate, in the order sent', async (t) => {
  let now = 0
  const { store, port } = await relayOnLoopback(t, { now: () => now, ...PACED })
  const base = store.log.head
  const backlog = Array.from({ length: 1500 }, (_, i) => post(`queued ${i}`))
  const link = await upToDate(port, store, '127.0.0.5')
  for (const s of backlog) link.submit(s)
  await until('the burst', () => link.of('ack').length === LINK_LIMITS.submitBurst)
  await new Promise((r) => setTimeout(r, 200))
  t.equal(store.log.head, base + LINK_LIMITS.submitBurst, 'with no time passing, the burst and no more')

  now += 1000
  await until('a second of budget', () => link.of('ack').length === LINK_LIMITS.submitBurst + LINK_LIMITS.submitsPerSecond)
  await new Promise((r) => setTimeout(r, 200))
  t.equal(store.log.head, base + 1200, 'a second later, 200 more')

  now += 2000
  await until('the rest', () => link.of('ack').length === 1500)
  t.notOk(link.closed, 'the link stays open: its sender did nothing wrong')
  t.same(
    link.of('ack').map((a) => a.id),
    backlog.map((s) => s.id),
    'acknowledged in the order sent',
  )
  const entries = await store.log.range(base + 1, 1500)
  t.same(
    entries.map((e) => e.id),
    backlog.map((s) => s.id),
    'and ordered in it',
  )
  link.ws.close()
})

t.test("a hello that names another machine than the link's certificate is refused with frame_invalid", async (t) => {
  const { relay, port } = await relayOnLoopback(t)
  const link = new RawLink(port, '127.0.0.6')
  await link.opened
  const someoneElse = machine(KEY).identity.nodeId
  link.hello(0, [], someoneElse)
  await until('the link closed', () => link.closed)
  t.match(link.of('error'), [
    { code: 'frame_invalid', message: new RegExp(`key is machine ${link.machine.identity.nodeId}, not ${someoneElse}`) },
  ])
  t.equal(link.of('welcome').length, 0, 'never welcomed')
  t.notOk(
    relay.roster().peers.some((p) => p.nodeId === someoneElse),
    'the machine it claimed to be is not on the roster',
  )
})

t.test('a machine that spent its burst and links again is not given a new one: its submissions wait their turn', async (t) => {
  let now = 0
  const { store, port } = await relayOnLoopback(t, { now: () => now, ...PACED })
  const base = store.log.head
  const first = await upToDate(port, store, '127.0.0.7')
  const burst = Array.from({ length: MACHINE_LIMITS.submitBurst }, (_, i) => post(`burst ${i}`))
  for (const s of burst) first.submit(s)
  await until('the burst', () => first.of('ack').length === MACHINE_LIMITS.submitBurst)
  first.ws.close()
  await until('the link closed', () => first.closed)

  // The same machine, from another address, at once (the clock stands still).
  const again = await upToDate(port, store, '127.0.0.8', first.machine)
  const next = post('after reconnecting')
  again.submit(next)
  await new Promise((r) => setTimeout(r, 300))
  t.equal(again.of('ack').length, 0, 'held: the machine’s budget is as spent as it left it')
  t.equal(store.log.head, base + MACHINE_LIMITS.submitBurst, 'and not ordered')
  t.notOk(again.closed, 'the link stays open: holding is not refusing')

  const other = await upToDate(port, store, '127.0.0.9')
  const theirs = post('another machine')
  other.submit(theirs)
  await until('their ack', () => other.of('ack').length === 1)
  t.pass('another machine is served meanwhile')

  now += 1000 / MACHINE_LIMITS.submitsPerSecond
  await until('its turn', () => again.of('ack').length === 1)
  t.match(again.of('ack'), [{ id: next.id }], 'once the machine’s rate gives it a turn, it is ordered')
  again.ws.close()
  other.ws.close()
})

t.test('an account posting from two machines is held at the account’s rate, and the rest goes in order', async (t) => {
  let now = 0
  // 301: alice's sign-up (relayOnLoopback) took one.
  const account = { submitsPerSecond: 100, submitBurst: 301 }
  const { relay, store, port } = await relayOnLoopback(t, { now: () => now, account })
  const base = store.log.head
  const a = await upToDate(port, store, '127.0.0.11')
  const b = await upToDate(port, store, '127.0.0.12')
  const fromA = Array.from({ length: 200 }, (_, i) => post(`a ${i}`))
  const fromB = Array.from({ length: 200 }, (_, i) => post(`b ${i}`))
  for (const s of fromA) a.submit(s)
  await until("A's 200", () => a.of('ack').length === 200)
  for (const s of fromB) b.submit(s)
  await until("B's first 100", () => b.of('ack').length === 100)
  await new Promise((r) => setTimeout(r, 300))
  t.equal(store.log.head, base + 300, 'the account’s burst of 300 across both machines, no more, with the clock standing still')
  t.notOk(a.closed || b.closed, 'both links stay open')

  now += 1000
  await until('a second of the account’s rate', () => b.of('ack').length === 200)
  t.equal(store.log.head, base + 400, 'a second later, 100 more')
  t.same(
    b.of('ack').map((f) => f.id),
    fromB.map((s) => s.id),
    "B's held posts went in the order sent",
  )

  const own = relay.order(post('from the relay’s own page'))
  await new Promise((r) => setTimeout(r, 200))
  t.equal(store.log.head, base + 400, "the relay's own page's post as that account waits its turn too")
  now += 10
  t.match(await own, { ok: true, seq: base + 401 }, 'and goes when the account’s rate gives it one')
  a.ws.close()
  b.ws.close()
})
