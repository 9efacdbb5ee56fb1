/**
 * After the relay's link ends (daemon/roles/coordinator.ts): a link closed by the relay's side
 * (its process died: every follower got the FIN/RST at once) starts the election at once, and
 * the first candidate promotes on its second vote; a relay fallen silent (dropped for missed
 * heartbeats) still leaves FAILOVER_WINDOW_MS for every replica to notice it too. Either way a
 * candidate that outranks us is waited for, not raced. The multi-host side is the bench's
 * `failover` scenario and test/multihost/chaos.test.ts.
 */
import t, { type Test } from 'tap'
import { PROTOCOL_VERSION, type Advert } from '../../../shared/index.js'
import { FAILOVER_WINDOW_MS } from '../../../daemon/roles/coordinator.js'
import { standInCoordinator } from '../../lib/coordinator.js'

const ME = { nodeId: 'b'.repeat(16), name: 'me', network: 'lab', startedAt: 10, peerPort: 47801 }
const DEAD = 'd'.repeat(16)

/** Another follower of the dead relay, still linked to it as far as its last advert says. */
const follower = (nodeId: string, startedAt: number): Advert => ({
  proto: PROTOCOL_VERSION,
  network: 'lab',
  nodeId,
  name: nodeId.slice(0, 1),
  role: 'client',
  term: 1,
  head: 0,
  startedAt,
  peerPort: 47801,
  relayId: DEAD,
})

/** The coordinator's private steps, called as its tick and its client session would. */
interface Steps {
  electionStep(): Promise<void>
  lostRelay(lost: string | null, handover: null, why: string, silent: boolean, heartbeatMs?: number): void
  schedule(ms: number): void
}

/** Date.now under the test's hand: moved ahead by `ahead`, put back at teardown. */
function movedClock(t: Test): { ahead(ms: number): void } {
  const realNow = Date.now
  let offset = 0
  Date.now = () => realNow() + offset
  t.teardown(() => {
    Date.now = realNow
  })
  return {
    ahead: (ms) => {
      offset += ms
    },
  }
}

async function coordinator(t: Test, peers: Advert[]) {
  const { coordinator: c } = await standInCoordinator(t, { me: ME, adverts: peers })
  const steps = c as unknown as Steps
  // The test is the clock: no tick of its own runs between the steps it takes.
  steps.schedule = () => undefined
  return { c, steps }
}

t.test('a relay link closed by its side: the first candidate promotes at once, on its second vote', async (t) => {
  const { c, steps } = await coordinator(t, [follower('c'.repeat(16), 20)])
  steps.lostRelay(DEAD, null, '1006', false)
  t.equal(c.role, 'electing')
  await steps.electionStep()
  t.equal(c.role, 'electing', 'one vote is not enough: a neighbour may have promoted since its advert')
  await steps.electionStep()
  t.equal(c.role, 'relay', 'no failover window waited for')
  t.equal(c.term, 2, 'one above the newest term it knows')
})

t.test('a relay link closed by its side: a candidate that outranks us is waited for', async (t) => {
  const { c, steps } = await coordinator(t, [follower('a'.repeat(16), 5)])
  steps.lostRelay(DEAD, null, '1006', false)
  await steps.electionStep()
  await steps.electionStep()
  await steps.electionStep()
  t.equal(c.role, 'electing', 'the older machine, still shown following the dead relay, is the one to promote')
})

t.test('a relay fallen silent (missed heartbeats): FAILOVER_WINDOW_MS is waited before promoting', async (t) => {
  const { c, steps } = await coordinator(t, [follower('c'.repeat(16), 20)])
  const clock = movedClock(t)
  steps.lostRelay(DEAD, null, '1006', true)
  await steps.electionStep()
  await steps.electionStep()
  t.equal(c.role, 'electing', 'other replicas may not have noticed yet')
  clock.ahead(FAILOVER_WINDOW_MS)
  await steps.electionStep()
  await steps.electionStep()
  t.equal(c.role, 'relay', 'after the window, the first candidate promotes')
})

t.test('a relay fallen silent on a network that asked for 10 s heartbeats: the window is five times as long', async (t) => {
  const { c, steps } = await coordinator(t, [follower('c'.repeat(16), 20)])
  const clock = movedClock(t)
  steps.lostRelay(DEAD, null, '1006', true, 10_000)
  clock.ahead(FAILOVER_WINDOW_MS)
  await steps.electionStep()
  await steps.electionStep()
  t.equal(c.role, 'electing', 'silence is noticed up to a 10 s period apart: others may not know yet')
  clock.ahead(4 * FAILOVER_WINDOW_MS)
  await steps.electionStep()
  await steps.electionStep()
  t.equal(c.role, 'relay', 'after 7.5 s, the first candidate promotes')
})
