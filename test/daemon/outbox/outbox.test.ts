/**
 * The outbox as the API sees it when the relay refuses: a machine whose clock is ahead stamps
 * its messages with that clock, the relay refuses them with bad_timestamp, and the person
 * posting gets that refusal, in words and with its HTTP status, rather than a message that
 * waits forever. Wired as coordinator.ts wires a relay's own outbox to its sequencer.
 */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import pino from 'pino'
import { secretsSigner } from '../../../daemon/accounts/index.js'
import { SochatError } from '../../../daemon/errors/index.js'
import { Outbox } from '../../../daemon/outbox/index.js'
import { Sequencer } from '../../../daemon/relay/sequencer.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const people = new TestPeople('alice')
/** Alice's daemon signs what she sends, as the routes do (http/room-access.ts). */
const asAlice = secretsSigner(people.get('alice').secrets, people.get('alice').keys)
const DAY = 24 * 3_600_000

async function relayBehind(t: Test, behindMs: number) {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const replica = new Replica(store)
  // This machine's clock is Date.now(); the relay's is behindMs behind it.
  const sequencer = new Sequencer(
    replica,
    1,
    () => undefined,
    undefined,
    () => Date.now() - behindMs,
  )
  const outbox = new Outbox(store, replica, NODE, pino({ level: 'silent' }))
  outbox.setRoute((s) => void sequencer.order(s).then((o) => (o.ok ? undefined : outbox.rejected(s.id, o.code, o.message))))
  t.teardown(() => outbox.close())
  // Alice's account, from a machine whose clock is right.
  const signUp = people.sign({ id: 'acct-0000001', ts: Date.now() - behindMs, origin: NODE, body: people.created('alice') })
  t.match(await sequencer.order(signUp), { ok: true, seq: 1 })
  return { store, outbox }
}

const message = { type: 'message.posted', room: 'general', author: 'alice', text: 'from the future' } as const

t.test('a sender whose clock is two days ahead is told to fix it, and the message is not kept', async (t) => {
  const { store, outbox } = await relayBehind(t, 2 * DAY)
  const head = store.log.head
  const err = await outbox.submit(message, { durable: true, timeoutMs: 5000, signer: asAlice }).catch((e: unknown) => e)
  t.ok(err instanceof SochatError, 'the post fails')
  t.match(err, { code: 'bad_timestamp', httpStatus: 400, message: /48 hours ahead of the relay's clock/ }, 'with the code and a sentence')
  t.match((err as Error).message, /set its date, time and time zone/, 'saying what to do')
  t.same(await outbox.pending(), [], 'it does not wait in the outbox to be refused again')
  t.equal(store.log.head, head, 'nothing was written')
})

t.test('a sender an hour ahead is fine', async (t) => {
  const { store, outbox } = await relayBehind(t, 3_600_000)
  const result = await outbox.submit(message, { durable: true, timeoutMs: 5000, signer: asAlice })
  t.match(result, { state: 'sent', entry: { seq: 2, body: message } })
  t.equal(store.log.head, 2)
})

t.test('a relay over its budget (rate_limited) does not drop a queued message: it is sent again shortly', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const replica = new Replica(store)
  const sequencer = new Sequencer(replica, 1, () => undefined)
  t.match(await sequencer.order(people.sign({ id: 'acct-0000001', ts: Date.now(), origin: NODE, body: people.created('alice') })), {
    ok: true,
  })
  const outbox = new Outbox(store, replica, NODE, pino({ level: 'silent' }))
  t.teardown(() => outbox.close())
  const failed: string[] = []
  outbox.on('failed', (_s, code) => failed.push(code))
  let refusals = 0
  outbox.setRoute((s) => {
    // The first time, as a relay past its budget would; then as a relay with room.
    if (refusals++ === 0) return void outbox.rejected(s.id, 'rate_limited', 'Too many submissions on this link.')
    void sequencer.order(s).then((o) => (o.ok ? undefined : outbox.rejected(s.id, o.code, o.message)))
  })
  const first = await outbox.submit(message, { durable: true, timeoutMs: 200, signer: asAlice })
  t.equal(first.state, 'pending', 'refused for now, the post says pending')
  t.equal((await outbox.pending()).length, 1, 'and the message is still in the outbox')
  const until = Date.now() + 10_000
  while (store.log.head < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  t.equal(store.log.head, 2, 'it was sent again and ordered')
  t.same(failed, [], 'nothing was dropped')
  t.equal(refusals, 2, 'once refused, once taken: retried once, not in a loop')
})
