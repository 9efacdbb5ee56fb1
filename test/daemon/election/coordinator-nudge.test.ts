/**
 * Something new seen over mDNS (a neighbour's advert changed: it just became the relay) makes
 * an electing coordinator look again at once (daemon/roles/coordinator.ts `nudge`); one that
 * comes while a round of probes is under way is not lost: the next round starts the moment
 * this one ends, not a whole tick later.
 */
import t, { type Test } from 'tap'
import { standInCoordinator } from '../../lib/coordinator.js'

const ME = { nodeId: 'b'.repeat(16), name: 'me', network: 'lab', startedAt: 10, peerPort: 47801 }

/** The coordinator's private steps. */
interface Steps {
  tick(): Promise<void>
  schedule(ms: number): void
}

/** An electing coordinator whose probe rounds end when the test says, and whose timer is recorded, not run. */
async function coordinator(t: Test) {
  let endRound: () => void = () => undefined
  const { coordinator: c } = await standInCoordinator(t, {
    me: ME,
    directory: { probeAll: () => new Promise<void>((r) => (endRound = r)) },
    // Still looking: the coordinator keeps electing whatever the round says.
    window: 'peers',
  })
  const steps = c as unknown as Steps
  const scheduled: number[] = []
  steps.schedule = (ms) => void scheduled.push(ms)
  return { c, steps, scheduled, endRound: () => endRound() }
}

t.test('a nudge while idle looks again at once', async (t) => {
  const { c, scheduled } = await coordinator(t)
  c.nudge()
  t.same(scheduled, [0])
})

t.test('a nudge during a round of probes starts the next round the moment it ends', async (t) => {
  const { c, steps, scheduled, endRound } = await coordinator(t)
  const round = steps.tick()
  await new Promise((r) => setImmediate(r))
  c.nudge()
  t.same(scheduled, [], 'not while the round is under way (a tick never overlaps another)')
  endRound()
  await round
  t.same(scheduled, [0], 'then at once')
})

t.test('without a nudge, the next round waits its tick', async (t) => {
  const { steps, scheduled, endRound } = await coordinator(t)
  const round = steps.tick()
  await new Promise((r) => setImmediate(r))
  endRound()
  await round
  t.equal(scheduled.length, 1)
  t.ok(scheduled[0]! > 0, `${scheduled[0]} ms later`)
})
