/**
 * The relay signs the order (shared/chain.ts), and each attack on it is refused before the
 * follower's log is touched: a rewritten old entry behind the same ids, a batch changed on the
 * way, a statement by a key other than the one the link pinned, a relay that signed our
 * history and then claims to share none of it. A relay key that signs two histories for one
 * term is a fork: both statements kept, the relay refused. Two relays of one term (a
 * partition) are not a fork: the merge truncates, and every entry it takes back, whoever
 * wrote it and on whichever machine, goes to the outbox and is ordered again.
 */
import t, { type Test } from 'tap'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import pino from 'pino'
import type { Entry, EntryBody, ErrorCode, Frame, Welcome } from '../../../shared/index.js'
import type { PeerConnection } from '../../../daemon/link/index.js'
import { Outbox } from '../../../daemon/outbox/index.js'
import { Sequencer } from '../../../daemon/relay/sequencer.js'
import { Follower, Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'
import { chainOf, relayKey, statement, type TestRelayKey } from './fake-relay.js'

const ME = { network: 'lab', nodeId: '0123456789abcdef', name: 'lab-2', startedAt: 1, peerPort: 47801 }
const OTHER_MACHINE = '1111222233334444'
const people = new TestPeople('alice', 'bob')
const K = relayKey()
const K2 = relayKey()

const post = (author: string, text: string): EntryBody => ({ type: 'message.posted', room: 'general', author, text })
/** Entries signed by their authors, as any relay would carry them. */
function log(bodies: EntryBody[], opts: { from?: number; origin?: string; prefix?: string; term?: number } = {}): Entry[] {
  const { from = 1, origin = ME.nodeId, prefix = 'e', term = 1 } = opts
  return bodies.map((body, i) => {
    const seq = from + i
    const id = `${prefix}-${String(seq).padStart(6, '0')}`
    return { ...people.sign({ id, ts: 1_000 + seq, origin, body }), seq, term }
  })
}
const base = () => log([people.created('alice'), people.created('bob'), post('alice', 'one'), post('bob', 'two'), post('alice', 'three')])

class FakeLink extends EventEmitter {
  failed: { code: ErrorCode; message: string } | null = null
  open = true
  remoteAddress = '10.0.0.9:47801'
  constructor(readonly peer: TestRelayKey['peer']) {
    super()
  }
  send(_frame: Frame) {}
  fail(code: ErrorCode, message: string) {
    this.failed = { code, message }
    this.open = false
    this.emit('close', 1008, code)
  }
  close() {
    this.open = false
    this.emit('close', 1000, '')
  }
}

async function replicaWith(t: Test, entries: Entry[]) {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  if (entries.length > 0) await store.append(entries)
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) })
  const replica = new Replica(store)
  const ids = async () => (await store.log.range(1, 100_000)).map((e) => e.id)
  const outbox = async () => {
    const out: string[] = []
    for await (const key of store.outbox.keys()) out.push(key)
    return out.sort()
  }
  return { store, replica, lines, logger, ids, outbox }
}

type R = Awaited<ReturnType<typeof replicaWith>>

/** A link to relay `key`; `link` answers once the follower acted on a frame. */
async function linkTo(r: R, key: TestRelayKey) {
  const link = new FakeLink(key.peer)
  const f = new Follower(link as unknown as PeerConnection, r.replica, ME, r.logger)
  let refused: ErrorCode | null = null
  let ready = false
  f.on('refused', (code) => (refused = code))
  f.on('ready', () => (ready = true))
  await f.start()
  const settle = async () => {
    for (let i = 0; i < 200 && link.open && !ready && refused === null; i++) await new Promise((r) => setTimeout(r, 5))
  }
  const welcome = async (w: Omit<Welcome, 'type' | 'relayId' | 'maxFileBytes'>) => {
    link.emit('frame', { type: 'welcome', relayId: key.nodeId, maxFileBytes: 1024, ...w }, 100)
    await settle()
    return refused ?? (ready ? 'ready' : 'nothing')
  }
  const entries = async (list: Entry[], order = statement(key, list.at(-1)!.seq, 'a'.repeat(64))) => {
    const head = r.store.log.head
    link.emit('frame', { type: 'entries', entries: list, order }, 100)
    for (let i = 0; i < 200 && link.open && r.store.log.head === head; i++) await new Promise((r) => setTimeout(r, 5))
    return refused ?? 'applied'
  }
  return { link, welcome, entries }
}

/** A welcome as an honest relay with log `relayLog` sends it. */
const honest = (key: TestRelayKey, relayLog: Entry[], from: number, term = 2) => ({
  term,
  head: relayLog.length,
  from,
  at: statement(key, from, chainOf(relayLog, from), term),
  tip: statement(key, relayLog.length, chainOf(relayLog, relayLog.length), term),
})

t.test('a relay that keeps the ids but rewrote an old entry: refused at its welcome, nothing cut', async (t) => {
  const ours = base()
  const r = await replicaWith(t, ours)
  const rewritten = ours.map((e) => (e.seq === 3 ? { ...e, body: post('alice', 'I never said one') } : e))
  const { welcome, link } = await linkTo(r, K)
  // Its checkpoints match ours by id at 5, so judgeWelcome alone would keep everything.
  t.equal(await welcome(honest(K, rewritten, 5)), 'order_invalid', 'refused with order_invalid')
  t.match(link.failed?.message, /history it signed up to there is not ours/, 'saying what happened')
  t.same(
    await r.ids(),
    ours.map((e) => e.id),
    'our log is whole',
  )
  t.ok(
    r.lines.some((l) => l.code === 'order_invalid' && l.relay === K.nodeId && l.level === 50),
    'logged as an error, naming the relay',
  )
})

t.test('a batch changed on the way, or a rewritten history continued: nothing of it applied', async (t) => {
  const full = [...base(), ...log([post('bob', 'four'), post('alice', 'five')], { from: 6 })]
  await t.test('an entry’s term changed (the author’s signature does not cover it; the chain does)', async (t) => {
    const r = await replicaWith(t, full.slice(0, 5))
    const { welcome, entries, link } = await linkTo(r, K)
    t.equal(await welcome(honest(K, full, 5)), 'ready')
    const changed = full.slice(5).map((e) => (e.seq === 7 ? { ...e, term: 9 } : e))
    t.equal(await entries(changed, statement(K, 7, chainOf(full, 7))), 'order_invalid')
    t.match(link.failed?.message, /not the chain of the entries it sent/)
    t.equal(r.store.log.head, 5, 'nothing applied')
  })
  await t.test('new entries signed on top of a history in which entry 3 was rewritten', async (t) => {
    const r = await replicaWith(t, full.slice(0, 5))
    const { welcome, entries, link } = await linkTo(r, K)
    // Its welcome says its head is 5: with a tip at 7 the statement below would be a fork.
    t.equal(await welcome(honest(K, full.slice(0, 5), 5)), 'ready')
    const rewritten = full.map((e) => (e.seq === 3 ? { ...e, body: post('alice', 'I never said one') } : e))
    t.equal(await entries(full.slice(5), statement(K, 7, chainOf(rewritten, 7))), 'order_invalid')
    t.equal(r.store.log.head, 5, 'nothing applied')
    t.match(link.failed?.message, /chain it signed at 7/)
  })
  await t.test('a replayed batch whose entries we hold differ from ours', async (t) => {
    const r = await replicaWith(t, full.slice(0, 5))
    const { welcome, entries, link } = await linkTo(r, K)
    t.equal(await welcome(honest(K, full, 5)), 'ready')
    const other = full.map((e) => (e.seq === 4 ? { ...e, term: 5 } : e))
    t.equal(await entries(other.slice(3), statement(K, 7, chainOf(other, 7))), 'order_invalid')
    t.match(link.failed?.message, /entries up to 5 that differ from the ones we hold/)
    t.equal(r.store.log.head, 5, 'nothing applied')
  })
})

t.test('a statement signed by a key other than the one the link pinned: refused', async (t) => {
  const full = base()
  const cases: [string, (seq: number, chain: string) => ReturnType<typeof statement>, RegExp][] = [
    [
      'signed by another machine’s key, naming this relay',
      (seq, chain) => statement(K2, seq, chain, 2, 'lab', K.nodeId),
      /not signed by the key/,
    ],
    ['naming another relay', (seq, chain) => statement(K2, seq, chain), /names relay/],
    ['for another network', (seq, chain) => statement(K, seq, chain, 2, 'elsewhere'), /network "elsewhere"/],
    ['for an older term', (seq, chain) => statement(K, seq, chain, 1), /term 1/],
  ]
  for (const [i, [what, sign, why]] of cases.entries()) {
    await t.test(what, async (t) => {
      const r = await replicaWith(t, full.slice(0, 3))
      const { welcome, entries, link } = await linkTo(r, K)
      t.equal(await welcome(honest(K, full, 3)), 'ready', `${i}: an honest welcome`)
      t.equal(await entries(full.slice(3), sign(5, chainOf(full, 5))), 'order_invalid', 'its batch is refused')
      t.match(link.failed?.message, why)
      t.equal(r.store.log.head, 3, 'nothing applied')
    })
    await t.test(`${what}, in a welcome`, async (t) => {
      const r = await replicaWith(t, full)
      const { welcome, link } = await linkTo(r, K)
      t.equal(await welcome({ ...honest(K, full, 3), at: sign(3, chainOf(full, 3)) }), 'order_invalid')
      t.match(link.failed?.message, why)
      t.same(
        await r.ids(),
        full.map((e) => e.id),
        'nothing cut',
      )
    })
  }
})

t.test('from 0 with another history: followed from a relay new to us, refused from one that signed ours', async (t) => {
  const ours = base()
  const theirs = log([people.created('alice'), post('alice', 'elsewhere')], { prefix: 'x' })
  await t.test('a machine used alone, then let in: it joins, its entries are ordered again', async (t) => {
    const r = await replicaWith(t, ours)
    const { welcome } = await linkTo(r, K)
    t.equal(await welcome(honest(K, theirs, 0)), 'ready', 'followed: nothing in common is no lie')
    t.same(await r.outbox(), ours.map((e) => e.id).sort(), 'every entry of ours waits in the outbox')
  })
  await t.test('a relay that signed our history in this term, now sharing none of it', async (t) => {
    const r = await replicaWith(t, ours.slice(0, 3))
    const first = await linkTo(r, K)
    t.equal(await first.welcome(honest(K, ours, 3)), 'ready')
    t.equal(await first.entries(ours.slice(3), statement(K, 5, chainOf(ours, 5))), 'applied', 'it signed our log up to 5')
    const second = await linkTo(r, K)
    t.equal(await second.welcome(honest(K, theirs, 0)), 'order_invalid', 'refused')
    t.match(second.link.failed?.message, /signed our log up to 5 in term 2, and now says it shares none of it/)
    t.same(
      await r.ids(),
      ours.map((e) => e.id),
      'before anything was cut',
    )
    t.same(await r.outbox(), [])
  })
})

t.test('a relay that signs two histories for one term: a fork, kept with its proof, the relay refused', async (t) => {
  const ours = base()
  const other = [
    ...ours.slice(0, 2),
    ...log([post('bob', 'not one'), post('alice', 'not two'), post('bob', 'not three'), post('alice', 'more')], { from: 3, prefix: 'y' }),
  ]
  await t.test('two chains for one entry number', async (t) => {
    const r = await replicaWith(t, ours.slice(0, 2))
    const first = await linkTo(r, K)
    t.equal(await first.welcome(honest(K, ours, 2)), 'ready')
    t.equal(await first.entries(ours.slice(2), statement(K, 5, chainOf(ours, 5))), 'applied')
    // Same key, same term: its welcome's tip says entry 5 has another chain.
    const second = await linkTo(r, K)
    const w = { ...honest(K, ours, 5), tip: statement(K, 5, chainOf(other, 5)) }
    t.equal(await second.welcome(w), 'order_forked', 'refused as a fork')
    const [proof] = await r.store.order.forks()
    t.match(
      proof,
      { relayId: K.nodeId, term: 2, kept: { seq: 5, chain: chainOf(ours, 5) }, contradicting: { seq: 5 } },
      'both statements kept',
    )
    t.not(proof?.kept.chain, proof?.contradicting.chain)
    t.ok(
      r.lines.some((l) => l.code === 'order_forked' && l.level === 50 && (l.kept as object) && (l.contradicting as object)),
      'logged as an error with both',
    )
    t.same(
      await r.ids(),
      ours.map((e) => e.id),
      'nothing cut',
    )
    const third = await linkTo(r, K)
    t.equal(await third.welcome(honest(K, ours, 5, 9)), 'order_forked', 'linking again, even in a new term: refused at once')
    t.match(third.link.failed?.message, /signed two different histories before/)
    t.equal((await r.store.order.forks()).length, 1, 'one proof kept')
  })
  await t.test('cut back, then a history that does not extend what it signed', async (t) => {
    const r = await replicaWith(t, ours.slice(0, 2))
    const first = await linkTo(r, K)
    t.equal(await first.welcome(honest(K, ours, 2)), 'ready')
    t.equal(await first.entries(ours.slice(2), statement(K, 5, chainOf(ours, 5))), 'applied')
    // Same key and term; it asks us to cut back to 1 (a checkpoint), then sends another 2..6.
    const second = await linkTo(r, K)
    t.equal(await second.welcome(honest(K, other, 1)), 'ready', 'a cut is not proof by itself: checkpoints are sparse')
    t.equal(await second.entries(other.slice(1), statement(K, 6, chainOf(other, 6))), 'order_forked', 'its new history, past 5, is')
    t.equal((await r.store.order.forks()).length, 1, 'the proof is kept')
    t.equal(r.store.log.head, 1, 'nothing of the other history applied')
    t.same(
      await r.outbox(),
      ours
        .slice(1)
        .map((e) => e.id)
        .sort(),
      'what was cut waits in the outbox',
    )
  })
  await t.test('two relays of one term (a partition): no fork, the merge follows the new one', async (t) => {
    const r = await replicaWith(t, ours.slice(0, 2))
    const first = await linkTo(r, K)
    t.equal(await first.welcome(honest(K, ours, 2)), 'ready')
    t.equal(await first.entries(ours.slice(2), statement(K, 5, chainOf(ours, 5))), 'applied')
    const second = await linkTo(r, K2)
    t.equal(await second.welcome(honest(K2, other, 1)), 'ready', 'cut back to 1, our last checkpoint in common')
    t.equal(await second.entries(other.slice(1), statement(K2, 6, chainOf(other, 6))), 'applied')
    t.same(await r.store.order.forks(), [], 'no fork')
    t.same(await r.outbox(), ['e-000003', 'e-000004', 'e-000005'], 'our side’s entries go to be ordered again')
  })
})

t.test('a partition heal keeps every entry with a valid author signature, made here or elsewhere', async (t) => {
  const shared = base().slice(0, 3)
  // Our side of the split: bob's two messages, written on another machine, reached only us.
  const ourSide = [
    ...shared,
    ...log([post('bob', 'mine, from afar'), post('bob', 'also mine')], { from: 4, origin: OTHER_MACHINE, prefix: 'b' }),
  ]
  const theirSide = [...shared, ...log([post('alice', 'over here')], { from: 4, prefix: 'a' })]
  const r = await replicaWith(t, ourSide)
  const { welcome, entries } = await linkTo(r, K2)
  t.equal(await welcome(honest(K2, theirSide, 3)), 'ready')
  t.equal(await entries(theirSide.slice(3), statement(K2, 4, chainOf(theirSide, 4))), 'applied')
  t.same(await r.outbox(), ['b-000004', 'b-000005'], 'the other machine’s entries wait in our outbox')

  // The relay of the other side, as coordinator.ts wires a route: our outbox sends them there.
  const relayStore = await Store.open(join(t.testdir(), 'relay'))
  t.teardown(() => relayStore.close())
  await relayStore.append(theirSide)
  const sequencer = new Sequencer(new Replica(relayStore), 2, () => undefined)
  const out = new Outbox(r.store, r.replica, ME.nodeId, pino({ level: 'silent' }))
  t.teardown(() => out.close())
  const pending = await out.pending()
  t.same(
    pending.map((s) => [s.id, s.origin, typeof s.sig]),
    [
      ['b-000004', OTHER_MACHINE, 'string'],
      ['b-000005', OTHER_MACHINE, 'string'],
    ],
    'their origin and author signature unchanged',
  )
  const outcomes = await Promise.all(pending.map((s) => sequencer.order(s)))
  t.match(
    outcomes,
    [
      { ok: true, seq: 5 },
      { ok: true, seq: 6 },
    ],
    'the relay orders them again: bob’s signatures hold',
  )
  t.same(
    (await relayStore.log.range(1, 10)).map((e) => e.id),
    [...theirSide.map((e) => e.id), 'b-000004', 'b-000005'],
    'nothing acknowledged on either side is lost',
  )
})
