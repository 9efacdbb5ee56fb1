/**
 * The coordinator's term arithmetic (daemon/roles/coordinator.ts): it never takes or saves a
 * term past MAX_TERM (it stays electing and logs `claim_absurd`), a relay at the bound keeps
 * its term instead of raising it, and a successor named in a handover takes one above the
 * newest term it knows, whatever number the handover names.
 */
import t, { type Test } from 'tap'
import { MAX_TERM, PROTOCOL_VERSION, type Advert } from '../../../shared/index.js'
import { standInCoordinator } from '../../lib/coordinator.js'

const ME = { nodeId: 'a'.repeat(16), name: 'me', network: 'lab', startedAt: 1, peerPort: 47801 }

/** The coordinator's private steps, called as its tick and its client session would. */
interface Steps {
  becomeRelay(term: number): Promise<void>
  outrankedTerms(peers: Advert[]): Promise<void>
  lostRelay(lost: string | null, handover: { successor: string; term: number } | null, why: string): void
}

async function coordinator(t: Test, savedTerm: number) {
  const { coordinator: c, saved, lines } = await standInCoordinator(t, { me: ME, savedTerm })
  return { c, steps: c as unknown as Steps, saved, absurd: () => lines.filter((l) => l.code === 'claim_absurd') }
}
const relayAdvert = (term: number): Advert => ({
  proto: PROTOCOL_VERSION,
  network: 'lab',
  nodeId: 'b'.repeat(16),
  name: 'rival',
  role: 'relay',
  term,
  head: 0,
  startedAt: 2,
  peerPort: 47801,
  relayId: null,
})

t.test('a term past MAX_TERM is neither taken nor saved', async (t) => {
  const { c, steps, saved, absurd } = await coordinator(t, MAX_TERM)
  await steps.becomeRelay(MAX_TERM + 1)
  t.equal(c.role, 'electing', 'it does not promote')
  t.equal(c.term, MAX_TERM, 'its term is unchanged')
  t.same(saved, [], 'nothing is saved')
  t.equal(absurd().length, 1, 'claim_absurd is logged')
  t.equal(absurd()[0]?.level, 50, 'as an error')
})

t.test('MAX_TERM itself is taken and saved', async (t) => {
  const { c, steps, saved, absurd } = await coordinator(t, MAX_TERM - 1)
  await steps.becomeRelay(MAX_TERM)
  t.equal(c.role, 'relay')
  t.same(saved, [MAX_TERM])
  t.same(absurd(), [])
})

t.test('a relay outranked at the bound keeps its term; below it, takes one above the rival', async (t) => {
  const { c, steps, saved, absurd } = await coordinator(t, 5)
  await steps.becomeRelay(6)
  await steps.outrankedTerms([relayAdvert(9)])
  t.equal(c.term, 10, 'one above the rival relay')
  t.equal(c.relay?.term, 10, 'the relay orders with it')
  await steps.outrankedTerms([relayAdvert(MAX_TERM)])
  t.equal(c.term, 10, 'at the bound the term stays')
  t.same(saved, [6, 10], 'and only bounded terms were saved')
  t.equal(absurd().length, 1, 'claim_absurd is logged')
})

t.test('a successor takes one above the newest term it knows, not what the handover names', async (t) => {
  const { c, steps, saved } = await coordinator(t, 7)
  steps.lostRelay('b'.repeat(16), { successor: ME.nodeId, term: MAX_TERM }, 'handed over')
  await new Promise((r) => setTimeout(r, 50))
  t.equal(c.role, 'relay', 'it takes over')
  t.equal(c.term, 8)
  t.same(saved, [8])
})
