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
  return { store, outbox, routed, close, batches }
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
