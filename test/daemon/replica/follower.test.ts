/**
 * The follower judges the relay's welcome before it touches our log. A `from` that is none of
 * our checkpoints, or past the relay's own head, is `claim_absurd`: the link closes and every
 * entry stays. `from` 0 while we have entries (no history in common) is followed, the entries
 * moved to the outbox: the relay proved the network key. An empty log takes everything
 * from 0, and a healed partition still truncates back to the last common checkpoint. A batch
 * with an entry not signed by its author is applied not at all, and the link closes.
 */
import t, { type Test } from 'tap'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import pino from 'pino'
import { actorOf, type Entry, type ErrorCode, type Frame, type PasswordHash, type Welcome } from '../../../shared/index.js'
import type { PeerConnection } from '../../../daemon/link/index.js'
import { Follower, Replica, judgeWelcome, withFirstEntry } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'
import { chainOf, relayKey, statement } from './fake-relay.js'

const NODE = '0123456789abcdef'
const KEY = relayKey()
const RELAY = KEY.nodeId
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const ME = { network: 'lab', nodeId: NODE, name: 'lab-2', startedAt: 1, peerPort: 47801 }

/** A log of these ids: the first signs alice up, the rest are her messages. */
function entries(ids: string[], from = 1): Entry[] {
  return ids.map((id, i) => {
    const seq = from + i
    const base = { id, ts: 1000 + seq, origin: NODE, seq, term: 1 }
    return seq === 1
      ? { ...base, body: { type: 'account.created', username: 'alice', password: HASH } }
      : { ...base, body: { type: 'message.posted', room: 'general', author: 'alice', text: id } }
  })
}
const ids = (prefix: string, n: number, from = 1) => Array.from({ length: n }, (_, i) => `${prefix}-${String(from + i).padStart(4, '0')}`)

/** Stands in for the link: records what the follower sends and why it fails. */
class FakeLink extends EventEmitter {
  sent: Frame[] = []
  failed: { code: ErrorCode; message: string } | null = null
  open = true
  remoteAddress = '10.0.0.9:47801'
  /** The relay's key, as its TLS certificate carried it. */
  peer = KEY.peer
  /** Heartbeat periods the relay asked for, in order (link/heartbeat.ts). */
  periods: number[] = []
  setHeartbeat(ms: number) {
    this.periods.push(ms)
  }
  send(frame: Frame) {
    this.sent.push(frame)
  }
  fail(code: ErrorCode, message: string) {
    this.failed = { code, message }
    this.close()
  }
  close() {
    if (!this.open) return
    this.open = false
    this.emit('close', 1008, this.failed?.code ?? '')
  }
}

async function follower(t: Test, log: string[], db = 'db') {
  const store = await Store.open(join(t.testdir(), db))
  t.teardown(() => store.close())
  if (log.length > 0) await store.append(entries(log))
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) })
  const link = new FakeLink()
  const replica = new Replica(store)
  const f = new Follower(link as unknown as PeerConnection, replica, ME, logger)
  let outcome: 'ready' | 'refused' | 'closed' | null = null
  f.on('ready', () => (outcome ??= 'ready'))
  f.on('refused', () => (outcome ??= 'refused'))
  f.on('closed', () => (outcome ??= 'closed'))
  await f.start()
  /** Hands the follower a welcome and waits until it acted on it. */
  /**
   * An honest relay's statements unless `fields` says otherwise: chain(from) is ours, the tip
   * that of `relayLog` (any chain without one: a tip is kept, checked once we reach it).
   */
  const welcome = async (fields: Partial<Welcome>, relayLog?: Entry[]) => {
    const from = fields.from ?? 0
    const head = fields.head ?? 0
    const at = statement(KEY, from, (await store.log.chainAt(from)) ?? 'f'.repeat(64))
    const tip = statement(KEY, head, relayLog ? chainOf(relayLog, head) : 'a'.repeat(64))
    const frame: Welcome = { type: 'welcome', relayId: RELAY, term: 2, head, from, maxFileBytes: 1024, at, tip, ...fields }
    link.emit('frame', frame, 100)
    while (outcome === null) await new Promise((r) => setImmediate(r))
    return outcome
  }
  const logIds = async () => (await store.log.range(1, 10_000)).map((e) => e.id)
  const outboxIds = async () => {
    const out: string[] = []
    for await (const key of store.outbox.keys()) out.push(key)
    return out.sort()
  }
  /** An entries frame signed as an honest relay would: the chain over our log plus the batch. */
  const batch = async (list: Entry[]): Promise<Frame> => {
    const mine = await store.log.range(1, list[0]!.seq - 1)
    return { type: 'entries', entries: list, order: statement(KEY, list.at(-1)!.seq, chainOf([...mine, ...list], list.at(-1)!.seq)) }
  }
  return { store, link, f, replica, lines, welcome, logIds, outboxIds, batch }
}

t.test('our first entry is always among the checkpoints of our hello', async (t) => {
  const { link } = await follower(t, ids('own', 100))
  const hello = link.sent[0]
  t.equal(hello?.type, 'hello')
  if (hello?.type !== 'hello') return
  t.same(
    hello.checkpoints.map((c) => c.seq),
    [100, 99, 98, 96, 92, 84, 68, 36, 1],
    'head, doubling distances, and seq 1',
  )
  const noFirst = [{ seq: 5, id: 'own-0005' }]
  t.same(withFirstEntry(noFirst, { seq: 1, id: 'own-0001' }), [...noFirst, { seq: 1, id: 'own-0001' }], 'added when missing')
  const withIt = [...noFirst, { seq: 1, id: 'own-0001' }]
  t.equal(withFirstEntry(withIt, { seq: 1, id: 'own-0001' }), withIt, 'not twice')
  t.same(withFirstEntry([], undefined), [], 'an empty log has no first entry')
})

t.test('a welcome from 0 while we have entries, from a relay that proved the network key: followed, nothing lost', async (t) => {
  const own = ids('own', 12)
  const { link, welcome, logIds, outboxIds } = await follower(t, own)
  t.equal(await welcome({ head: 5000, from: 0 }), 'ready', 'the follower follows it')
  t.equal(link.failed, null, 'the link stays open')
  t.same(await logIds(), [], 'our entries left the log')
  t.same((await outboxIds()).sort(), [...own].sort(), 'every one of them is in the outbox, to be submitted again')
})

t.test('an empty log still takes everything from 0', async (t) => {
  const { link, welcome, logIds, batch, replica } = await follower(t, [])
  const relayLog = entries(ids('relay', 3))
  t.equal(await welcome({ head: 3, from: 0 }, relayLog), 'ready')
  t.equal(link.failed, null, 'the link stays')
  link.emit('frame', await batch(relayLog), 100)
  await applied(replica, 3)
  t.same(await logIds(), ids('relay', 3), 'the relay’s log is ours now')
})

/** Resolves once the replica has applied up to `head` (signatures are checked in workers: no fixed sleep); fails after 10 s. */
async function applied(replica: { head: number }, head: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while (replica.head < head) {
    if (Date.now() > deadline) throw new Error(`the replica stopped at ${replica.head}, not ${head}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

t.test('a welcome past our head is a backlog until it is applied; a link that closes ends it', async (t) => {
  const { link, replica, welcome, batch } = await follower(t, [])
  const relayLog = entries(ids('relay', 6))
  t.equal(await welcome({ head: 6, from: 0 }, relayLog), 'ready')
  t.ok(replica.catchingUp, 'catching up: work that can wait (the search index) waits')
  link.emit('frame', await batch(relayLog.slice(0, 3)), 100)
  await applied(replica, 3)
  t.ok(replica.catchingUp, 'still, half way')
  link.emit('frame', await batch(relayLog.slice(3)), 100)
  await applied(replica, 6)
  t.notOk(replica.catchingUp, 'caught up at the welcome head')

  const again = await follower(t, [], 'db2')
  t.equal(await again.welcome({ head: 6, from: 0 }, relayLog), 'ready')
  t.ok(again.replica.catchingUp)
  again.link.close()
  await new Promise((r) => setTimeout(r, 20))
  t.notOk(again.replica.catchingUp, 'a link gone ends the backlog it announced')
})

t.test("a relay that sends an entry in someone's name, not signed by them: nothing of the batch is applied, the link closes", async (t) => {
  const people = new TestPeople('alice', 'mallory')
  const { link, welcome, logIds, lines, batch } = await follower(t, [])
  t.equal(await welcome({ head: 4, from: 0 }), 'ready')
  const at = (seq: number, body: Entry['body'], by = actorOf(body)): Entry => ({
    ...people.get(by).sign({ id: `e-${seq}`, ts: 1000 + seq, origin: RELAY, body }),
    seq,
    term: 2,
  })
  const hello = (author: string, text: string): Entry['body'] => ({ type: 'message.posted', room: 'general', author, text })
  const list = [
    at(1, people.created('alice')),
    at(2, people.created('mallory')),
    at(3, hello('alice', 'hi')),
    at(4, hello('alice', 'I resign'), 'mallory'),
  ]
  link.emit('frame', await batch(list), 100)
  while (link.open) await new Promise((r) => setImmediate(r))
  t.equal(link.failed?.code, 'bad_signature', 'the follower closes the link with bad_signature')
  t.same(await logIds(), [], 'and applies none of the batch, not even the good entries before it')
  t.ok(
    lines.some((l) => String(l.msg).includes('entry 4 (message.posted, id e-4)') && l.relay === RELAY),
    'its log names the relay and the entry',
  )
})

t.test('frames arriving faster than they are applied: applied in order, up to the one with a forged entry in its middle', async (t) => {
  const people = new TestPeople('alice', 'mallory')
  const { link, welcome, logIds, replica, store } = await follower(t, [])
  const at = (seq: number, body: Entry['body'], by = actorOf(body)): Entry => ({
    ...people.get(by).sign({ id: `e-${String(seq).padStart(4, '0')}`, ts: 1000 + seq, origin: RELAY, body }),
    seq,
    term: 2,
  })
  const hello = (author: string, seq: number): Entry['body'] => ({ type: 'message.posted', room: 'general', author, text: `${seq}` })
  const log = [at(1, people.created('alice')), at(2, people.created('mallory'))]
  for (let seq = 3; seq <= 400; seq++) log.push(at(seq, hello('alice', seq), seq === 250 ? 'mallory' : 'alice'))
  t.equal(await welcome({ head: 400, from: 0 }, log), 'ready')
  // An honest relay's statements over this log, each frame sent before any is applied.
  const frames = [log.slice(0, 100), log.slice(100, 200), log.slice(200, 300), log.slice(300)].map(
    (list): Frame => ({ type: 'entries', entries: list, order: statement(KEY, list.at(-1)!.seq, chainOf(log, list.at(-1)!.seq)) }),
  )
  for (const frame of frames) link.emit('frame', frame, 100)
  while (link.open) await new Promise((r) => setImmediate(r))
  t.equal(link.failed?.code, 'bad_signature', 'the third frame is refused: entry 250 is not signed by alice')
  t.equal(replica.head, 200, 'the two frames before it are applied, none of it, nothing after it')
  t.same(
    await logIds(),
    log.slice(0, 200).map((e) => e.id),
    'in the order the relay gave',
  )
  t.same(await store.log.chainAt(200), chainOf(log, 200), 'with the chain the relay signed')
})

t.test('a healed partition: back to the last common checkpoint, the rest resubmitted', async (t) => {
  const shared = ids('shared', 6)
  const ours = ids('ours', 3, 7) // seq 7, 8, 9: written on our side of the split
  const { welcome, logIds, outboxIds, link } = await follower(t, [...shared, ...ours])
  t.equal(await welcome({ head: 10, from: 5 }), 'ready', 'from 5: a checkpoint we sent')
  t.equal(link.failed, null)
  t.same(await logIds(), shared.slice(0, 5), 'the log is cut back to seq 5')
  t.same(await outboxIds(), [shared[5]!, ...ours].sort(), 'nothing lost: seq 6 to 9 wait in the outbox')
  const again = statement(KEY, 1, chainOf(entries(shared), 1))
  link.emit('frame', { type: 'welcome', relayId: RELAY, term: 2, head: 10, from: 1, maxFileBytes: 1024, at: again, tip: again }, 100)
  await new Promise((r) => setTimeout(r, 20))
  t.equal(link.failed?.code, 'frame_invalid', 'a second welcome closes the link')
  t.same(await logIds(), shared.slice(0, 5), 'and cuts nothing more')
})

t.test('a from that is none of our checkpoints, or past the relay’s head, is absurd', async (t) => {
  const own = ids('own', 12)
  const cases: [string, Partial<Welcome>][] = [
    ['past our head', { head: 50, from: 40 }],
    ['between our checkpoints', { head: 50, from: 6 }],
    ['past the relay’s own head', { head: 4, from: 12 }],
  ]
  for (const [i, [what, fields]] of cases.entries()) {
    const { link, welcome, logIds, outboxIds } = await follower(t, own, `db-${i}`)
    t.equal(await welcome(fields), 'refused', `${what}: refused`)
    t.equal(link.failed?.code, 'claim_absurd', `${what}: claim_absurd`)
    t.same(await logIds(), own, `${what}: nothing removed`)
    t.same(await outboxIds(), [], `${what}: nothing moved`)
  }
})

t.test('judgeWelcome: the rules, one by one', async (t) => {
  const sent = {
    head: 9,
    checkpoints: [
      { seq: 9, id: 'a-9' },
      { seq: 8, id: 'a-8' },
      { seq: 1, id: 'a-1' },
    ],
  }
  // judgeWelcome reads neither statement (order-check.ts does): any well-formed ones.
  const w = (from: number, head = 20): Welcome => ({
    type: 'welcome',
    relayId: RELAY,
    term: 1,
    head,
    from,
    maxFileBytes: 1,
    at: statement(KEY, from, 'a'.repeat(64), 1),
    tip: statement(KEY, head, 'a'.repeat(64), 1),
  })
  t.same(judgeWelcome(w(9), sent), { ok: true }, 'our head: nothing to cut')
  t.same(judgeWelcome(w(1), sent), { ok: true }, 'only the first entry in common: cut back to it')
  t.same(judgeWelcome(w(9, 9), sent), { ok: true }, 'the relay’s head exactly')
  t.same(judgeWelcome(w(0), sent), { ok: true }, 'no history in common: followed (entries go to the outbox)')
  t.match(judgeWelcome(w(5), sent), { ok: false, code: 'claim_absurd' })
  t.match(judgeWelcome(w(9, 8), sent), { ok: false, code: 'claim_absurd' })
  t.same(judgeWelcome(w(0, 0), { head: 0, checkpoints: [] }), { ok: true }, 'empty on both sides')
})

t.test("the relay's heartbeat period, from its welcome and then its rosters, becomes the link's", async (t) => {
  const { link, welcome } = await follower(t, [])
  t.equal(await welcome({ head: 0, from: 0, heartbeatMs: 3000 }), 'ready')
  t.same(link.periods, [3000], 'the welcome asked for 3 s')
  const roster = { type: 'roster', relayId: RELAY, term: 2, head: 0, reset: false, peers: [], gone: [], machines: 9001 }
  link.emit('frame', { ...roster, heartbeatMs: 10_000 }, 100)
  link.emit('frame', roster, 100)
  await new Promise((r) => setImmediate(r))
  t.same(link.periods, [3000, 10_000], 'a roster changes it; one that says nothing leaves it')
})
