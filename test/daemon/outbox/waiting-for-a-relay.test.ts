/**
 * What cannot wait in the outbox (a sign-up, a new room: the caller needs the relay's answer)
 * waits for a relay instead of failing at once. A daemon spends its first seconds looking for
 * others before it takes the relay's role, and a lone machine's first sign-up fell into them
 * ("No relay is reachable right now"); during an election after a relay died it is the same.
 */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import pino from 'pino'
import type { Submission } from '../../../shared/index.js'
import { secretsSigner } from '../../../daemon/accounts/index.js'
import { SochatError } from '../../../daemon/errors/index.js'
import { Outbox } from '../../../daemon/outbox/index.js'
import { Sequencer } from '../../../daemon/relay/sequencer.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const people = new TestPeople('alice')
const signUp = people.created('alice')
const asAlice = secretsSigner(people.get('alice').secrets, people.get('alice').keys)

/** An outbox with no relay yet, and what becoming the relay would give it. */
async function noRelayYet(t: Test) {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const replica = new Replica(store)
  const sequencer = new Sequencer(replica, 1, () => undefined)
  const outbox = new Outbox(store, replica, NODE, pino({ level: 'silent' }))
  t.teardown(() => outbox.close())
  const routed: Submission[] = []
  const becomeRelay = () =>
    outbox.setRoute((s) => {
      routed.push(s)
      void sequencer.order(s).then((o) => (o.ok ? undefined : outbox.rejected(s.id, o.code, o.message)))
    })
  return { store, outbox, routed, becomeRelay }
}

t.test('a sign-up made before a relay is chosen waits for one, then goes through', async (t) => {
  const { store, outbox, routed, becomeRelay } = await noRelayYet(t)
  const asked = outbox.submit(signUp, { durable: false, timeoutMs: 10_000, signer: asAlice })
  await new Promise((r) => setTimeout(r, 50))
  t.equal(routed.length, 0, 'nothing is sent while there is no relay')
  becomeRelay()
  const result = await asked
  t.equal(result.state, 'sent', 'the relay ordered it')
  t.equal(routed.length, 1, 'sent once')
  t.equal(store.log.head, 1, 'and it is in the log')
  t.same(await outbox.pending(), [], 'nothing was queued for later: the caller had its answer')
})

t.test('no relay within its time: a refusal in words, nothing written', async (t) => {
  const { store, outbox, routed } = await noRelayYet(t)
  const err = await outbox.submit(signUp, { durable: false, timeoutMs: 200, signer: asAlice }).catch((e: unknown) => e)
  t.ok(err instanceof SochatError, 'it fails')
  t.match(err, { code: 'no_relay', httpStatus: 503 }, 'as no_relay, 503')
  t.match((err as Error).message, /No relay was found in 0 s/, 'saying what happened')
  t.match((err as Error).message, /Try again/, 'and what to do')
  t.equal(routed.length, 0, 'nothing was sent')
  t.equal(store.log.head, 0, 'nothing was written')
})

t.test('the daemon stopping while a caller waits for a relay: told so at once', async (t) => {
  const { outbox } = await noRelayYet(t)
  const asked = outbox.submit(signUp, { durable: false, timeoutMs: 60_000, signer: asAlice }).catch((e: unknown) => e)
  outbox.close()
  t.match(await asked, { code: 'internal', message: /The daemon is stopping/ }, 'not after a minute, and not as "no relay"')
})

t.test('a message (durable) still answers "pending" at once when there is no relay', async (t) => {
  const { outbox, routed, becomeRelay } = await noRelayYet(t)
  const result = await outbox.submit(
    { type: 'message.posted', room: 'general', author: 'alice', text: 'hi' },
    { durable: true, timeoutMs: 10_000 },
  )
  t.equal(result.state, 'pending', 'the page shows it as sending; the outbox keeps it')
  t.equal((await outbox.pending()).length, 1, 'kept')
  becomeRelay()
  while (routed.length === 0) await new Promise((r) => setTimeout(r, 10))
  t.equal(routed[0]?.body.type, 'message.posted', 'and sent as soon as there is a relay')
})
