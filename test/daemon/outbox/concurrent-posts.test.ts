/**
 * Many people posting at once through one daemon's outbox (issue 18): their outbox records
 * share synced writes (group commit), each is answered only once its record is durable, and
 * as "sent" only once the relay wrote it; every one gets its own seq, in the order posted; each
 * goes to the relay once; and a failed outbox write fails every post in it, leaving nothing.
 * Wired as coordinator.ts wires a relay's own outbox to its sequencer.
 */
import { join } from 'node:path'
import pino from 'pino'
import { countBatches } from '../../lib/batches.js'
import t, { type Test } from 'tap'
import { secretsSigner } from '../../../daemon/accounts/index.js'
import { Outbox, type SubmitResult } from '../../../daemon/outbox/index.js'
import { Sequencer } from '../../../daemon/relay/sequencer.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import type { Submission } from '../../../shared/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const people = new TestPeople('alice')
const asAlice = secretsSigner(people.get('alice').secrets, people.get('alice').keys)
const post = (text: string) => ({ type: 'message.posted', room: 'general', author: 'alice', text }) as const
const durably = { durable: true, timeoutMs: 8000, signer: asAlice }

async function daemonAt(t: Test, dir: string, relay = true) {
  const store = await Store.open(dir)
  const replica = new Replica(store)
  const sequencer = new Sequencer(replica, 1, () => undefined)
  const outbox = new Outbox(store, replica, NODE, pino({ level: 'silent' }))
  const routed: Submission[] = []
  if (relay)
    outbox.setRoute((s) => {
      routed.push(s)
      void sequencer.order(s).then((o) => (o.ok ? undefined : outbox.rejected(s.id, o.code, o.message)))
    })
  const batches = countBatches(store)
  const close = async () => {
    outbox.close()
    await store.close()
  }
  if (relay) {
    const signUp = people.sign({ id: 'acct-0000001', ts: Date.now(), origin: NODE, body: people.created('alice') })
    t.match(await sequencer.order(signUp), { ok: true, seq: 1 })
  }
  return { store, outbox, sequencer, routed, close, batches }
}

t.test('32 posts at once: each its own seq, in the order posted, each sent once, in few synced writes', async (t) => {
  const dir = join(t.testdir(), 'db')
  const d = await daemonAt(t, dir)
  const before = d.batches()
  const results = await Promise.all(Array.from({ length: 32 }, (_, i) => d.outbox.submit(post(`m${i}`), durably)))
  const seqs = results.map((r) => (r.state === 'sent' ? r.entry.seq : -1))
  t.same(
    seqs,
    Array.from({ length: 32 }, (_, i) => i + 2),
    'all sent, seqs 2..33 in the order posted',
  )
  t.equal(d.routed.length, 32, 'each went to the relay once')
  // Without group commit: 32 outbox writes plus the relay's. With it, a handful in all.
  t.ok(d.batches() - before <= 12, `32 posts took ${d.batches() - before} synced writes`)
  t.same(await d.outbox.pending(), [], 'the outbox is empty: everything is in the log')
  await d.close()
  const again = await Store.open(dir)
  t.teardown(() => again.close())
  t.equal(again.log.head, 33, 'after a restart every acknowledged message is in the log')
  const texts = (await again.views.messages('general', 50)).map((m) => m.text)
  t.same(
    texts,
    Array.from({ length: 32 }, (_, i) => `m${i}`),
    'in the order posted',
  )
})

t.test('posts answered "pending" (no relay) are in the outbox after a restart, in the order posted', async (t) => {
  const dir = join(t.testdir(), 'db')
  const d = await daemonAt(t, dir, false)
  const results: SubmitResult[] = await Promise.all(Array.from({ length: 20 }, (_, i) => d.outbox.submit(post(`p${i}`), durably)))
  t.ok(
    results.every((r) => r.state === 'pending'),
    'each is answered pending, once its record is written',
  )
  await d.close()
  const again = await Store.open(dir)
  t.teardown(() => again.close())
  const outbox = new Outbox(again, new Replica(again), NODE, pino({ level: 'silent' }))
  t.teardown(() => outbox.close())
  t.same(
    (await outbox.pending()).map((s) => (s.body.type === 'message.posted' ? s.body.text : '')),
    Array.from({ length: 20 }, (_, i) => `p${i}`),
  )
})

t.test('a failed outbox write fails every post in it with its code, and nothing is queued or sent', async (t) => {
  const dir = join(t.testdir(), 'db')
  const d = await daemonAt(t, dir)
  const batch = d.store.db.batch.bind(d.store.db)
  let fail = true
  d.store.db.batch = ((...args: Parameters<typeof batch>) =>
    fail ? Promise.reject(new Error('EIO: i/o error, write')) : batch(...args)) as typeof batch
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => d.outbox.submit(post(`lost ${i}`), durably)))
  t.match(
    outcomes,
    Array.from({ length: 8 }, () => ({
      status: 'rejected',
      reason: { code: 'internal', message: /not saved/, cause: { message: /EIO/ } },
    })),
    'every post is refused with the stable code, the cause kept',
  )
  fail = false
  t.same(await d.outbox.pending(), [], 'nothing is in the outbox')
  t.equal(d.routed.length, 0, 'nothing went to the relay')
  const next = await d.outbox.submit(post('after'), durably)
  t.match(next, { state: 'sent', entry: { seq: 2 } }, 'the next post goes through')
  await d.close()
})

/** Counts full reads of the outbox (its values iterated): what a pump costs beyond the new posts. */
function countOutboxReads(store: Store): () => number {
  let reads = 0
  const values = store.outbox.values.bind(store.outbox)
  store.outbox.values = ((...args: Parameters<typeof values>) => {
    reads++
    return values(...args)
  }) as typeof values
  return () => reads
}

t.test('while the route stays, posts are sent without reading the whole outbox again for each', async (t) => {
  const d = await daemonAt(t, join(t.testdir(), 'db'))
  t.teardown(d.close)
  const reads = countOutboxReads(d.store)
  for (let round = 0; round < 4; round++)
    await Promise.all(Array.from({ length: 16 }, (_, i) => d.outbox.submit(post(`r${round}-${i}`), durably)))
  t.equal(d.routed.length, 64, 'each of 64 posts went to the relay once')
  t.equal(d.store.log.head, 65, 'all of them ordered')
  t.ok(reads() <= 1, `the outbox was read whole ${reads()} times for 64 posts (once at most: the first pump after start)`)
})

t.test('a post whose files could not be prepared holds back the later ones, and all go in order once it can', async (t) => {
  const dir = join(t.testdir(), 'db')
  const store = await Store.open(dir)
  const replica = new Replica(store)
  const sequencer = new Sequencer(replica, 1, () => undefined)
  t.match(await sequencer.order(people.sign({ id: 'acct-0000001', ts: Date.now(), origin: NODE, body: people.created('alice') })), {
    ok: true,
  })
  let failures = 1
  const outbox = new Outbox(store, replica, NODE, pino({ level: 'silent' }), async () => {
    // The first submission's files are not there yet (a push failed): it and those after it wait.
    if (failures-- > 0) throw new Error('file push failed')
  })
  t.teardown(async () => {
    outbox.close()
    await store.close()
  })
  const routed: string[] = []
  outbox.setRoute((s) => {
    routed.push(s.body.type === 'message.posted' ? s.body.text : '')
    void sequencer.order(s).then((o) => (o.ok ? undefined : outbox.rejected(s.id, o.code, o.message)))
  })
  const posts = Array.from({ length: 5 }, (_, i) => outbox.submit(post(`f${i}`), { ...durably, timeoutMs: 10_000 }))
  const results = await Promise.all(posts)
  t.ok(
    results.every((r) => r.state === 'sent'),
    'every post was sent in the end, with no later post to set it going',
  )
  t.same(routed, ['f0', 'f1', 'f2', 'f3', 'f4'], 'once each, in the order posted')
  t.same(
    (await store.views.messages('general', 10)).map((m) => m.text),
    ['f0', 'f1', 'f2', 'f3', 'f4'],
    'and in the log in that order',
  )
})

t.test('posts made while there is no relay all go, in order, once a relay is found', async (t) => {
  const d = await daemonAt(t, join(t.testdir(), 'db'), false)
  t.teardown(d.close)
  const queued = await Promise.all(Array.from({ length: 6 }, (_, i) => d.outbox.submit(post(`q${i}`), durably)))
  t.ok(
    queued.every((r) => r.state === 'pending'),
    'pending while there is no relay',
  )
  const sequencer = d.sequencer
  t.match(await sequencer.order(people.sign({ id: 'acct-0000001', ts: Date.now(), origin: NODE, body: people.created('alice') })), {
    ok: true,
  })
  const routed: string[] = []
  d.outbox.setRoute((s) => {
    routed.push(s.body.type === 'message.posted' ? s.body.text : '')
    void sequencer.order(s)
  })
  const late = await d.outbox.submit(post('q6'), durably)
  t.equal(late.state, 'sent')
  const until = Date.now() + 5000
  while (d.store.log.head < 8 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  t.same(routed, ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6'], 'the queued ones first, in order, then the new one, once each')
})
