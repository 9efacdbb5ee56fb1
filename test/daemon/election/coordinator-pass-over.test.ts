/**
 * A relay this machine refused (its follower found an entry not signed by its author, a
 * rewritten order, an absurd welcome) is passed over (daemon/roles/coordinator.ts): the
 * election neither joins it nor ranks it, so the machine elects another relay instead of
 * rejoining the liar several times a second; after PASS_OVER_MS it is tried again, and each
 * refusal again doubles the time, up to PASS_OVER_MAX_MS. The
 * multi-host side of it is test/multihost/forgery.test.ts.
 */
import t, { type Test } from 'tap'
import { PROTOCOL_VERSION, type Advert } from '../../../shared/index.js'
import { PASS_OVER_MAX_MS, PASS_OVER_MS } from '../../../daemon/roles/coordinator.js'
import { standInCoordinator } from '../../lib/coordinator.js'

const ME = { nodeId: 'a'.repeat(16), name: 'me', network: 'lab', startedAt: 1, peerPort: 47801 }
const LIAR = 'b'.repeat(16)
const liar: Advert = {
  proto: PROTOCOL_VERSION,
  network: 'lab',
  nodeId: LIAR,
  name: 'liar',
  role: 'relay',
  term: 3,
  head: 9,
  startedAt: 0,
  peerPort: 47801,
  relayId: LIAR,
}

/** The coordinator's private steps, called as its tick and its client session would. */
interface Steps {
  electionStep(): Promise<void>
  passOver(relayId: string, code: string): void
}

async function coordinator(t: Test) {
  /** Every relay the coordinator tried to join (the session asks the directory for its address first). */
  const joins: string[] = []
  const { coordinator: c, lines } = await standInCoordinator(t, {
    me: ME,
    adverts: [liar],
    directory: { addressOf: (nodeId: string) => void joins.push(nodeId) },
    savedTerm: 3,
  })
  return { c, steps: c as unknown as Steps, joins, lines }
}

t.test('an advertised relay is joined until it is refused; then it is passed over and another is elected', async (t) => {
  const { c, steps, joins, lines } = await coordinator(t)
  await steps.electionStep()
  t.same(joins, [LIAR], 'before any refusal the relay is joined')
  steps.passOver(LIAR, 'bad_signature')
  t.match(lines.at(-1), { level: 40, relay: LIAR, code: 'bad_signature', msg: /passing over a relay we refused/ }, 'logged, with why')
  await steps.electionStep()
  await steps.electionStep()
  t.same(joins, [LIAR], 'after the refusal it is not joined again')
  t.equal(c.role, 'relay', 'alone with the liar, this machine is the relay (the liar is no candidate either)')
  t.equal(c.term, 4, 'one above the newest term it knows')
})

t.test('after PASS_OVER_MS the relay is tried again', async (t) => {
  const { steps, joins } = await coordinator(t)
  steps.passOver(LIAR, 'order_invalid')
  await steps.electionStep()
  t.same(joins, [], 'passed over now')
  const realNow = Date.now
  Date.now = () => realNow() + PASS_OVER_MS + 1
  try {
    await steps.electionStep()
  } finally {
    Date.now = realNow
  }
  t.same(joins, [LIAR], 'joined again once the time is up')
})

t.test('each refusal again passes the relay over for twice as long, up to PASS_OVER_MAX_MS', async (t) => {
  const { steps, joins } = await coordinator(t)
  const realNow = Date.now
  // A clock that moves only when the test says: with the real one, the millisecond or two that
  // passes between a refusal and the next step made "PASS_OVER_MAX_MS - 1" already past it.
  const start = realNow()
  let offset = 0
  Date.now = () => start + offset
  t.teardown(() => {
    Date.now = realNow
  })
  const triedAfter = async (ms: number): Promise<boolean> => {
    offset += ms
    const before = joins.length
    await steps.electionStep()
    return joins.length > before
  }
  steps.passOver(LIAR, 'bad_signature')
  t.ok(await triedAfter(PASS_OVER_MS + 1), 'first refusal: tried again after PASS_OVER_MS')
  steps.passOver(LIAR, 'bad_signature')
  t.notOk(await triedAfter(PASS_OVER_MS + 1), 'second refusal: still passed over after PASS_OVER_MS')
  t.ok(await triedAfter(PASS_OVER_MS), 'and tried again after twice PASS_OVER_MS')
  for (let i = 0; i < 10; i++) steps.passOver(LIAR, 'bad_signature')
  t.notOk(await triedAfter(PASS_OVER_MAX_MS - 1), 'many refusals: passed over for PASS_OVER_MAX_MS')
  t.ok(await triedAfter(2), 'but never longer')
})
