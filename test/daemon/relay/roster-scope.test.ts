/**
 * Which machines a client's roster names: the relay, everyone with people on it, and the
 * likeliest next relays in the election's own order, whatever the network. Random networks
 * from a seed (as election/rank.test.ts), so a failure names the seed that made it.
 */
import t from 'tap'
import { ROSTER_CANDIDATES, type PeerSummary } from '../../../shared/index.js'
import { compareCandidates } from '../../../daemon/election/index.js'
import { rosterScope } from '../../../daemon/relay/roster-scope.js'
import { seededRandom as seeded } from '../../lib/seeded.js'

const machine = (i: number, random: () => number): PeerSummary => ({
  nodeId: (i + 1).toString(16).padStart(16, '0'),
  name: `pc-${i}`,
  host: `10.0.${i >> 8}.${i & 255}`,
  peerPort: 47801,
  // Start times collide often, as on a floor powered on at once: the id decides then.
  startedAt: 1_000 + Math.floor(random() * 20),
  // A link not yet live still has the head of its hello.
  head: random() < 0.8 ? 500 : Math.floor(random() * 500),
  users: random() < 0.3 ? [`user-${i}`] : [],
  away: [],
})

const relay = machine(100_000, () => 0)

t.test('random networks: the relay, everyone with people on it, and the best candidates of the rest', async (t) => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = seeded(seed)
    const size = Math.floor(random() * 60)
    const others = Array.from({ length: size }, (_, i) => machine(i, random))
    const named = rosterScope(relay, others)
    const ids = new Set(named.map((p) => p.nodeId))
    const empty = others.filter((p) => p.users.length === 0)
    const namedEmpty = empty.filter((p) => ids.has(p.nodeId))
    const unnamed = empty.filter((p) => !ids.has(p.nodeId))
    const wrong: string[] = []
    if (named[0] !== relay) wrong.push('the relay is not first')
    if (ids.size !== named.length) wrong.push('a machine is named twice')
    if (others.some((p) => p.users.length > 0 && !ids.has(p.nodeId))) wrong.push('a machine with people on it is left out')
    if (namedEmpty.length !== Math.min(ROSTER_CANDIDATES, empty.length)) wrong.push(`${namedEmpty.length} candidates named`)
    if (namedEmpty.some((n) => unnamed.some((u) => compareCandidates(u, n) < 0))) wrong.push('a better candidate is left out')
    t.same(wrong, [], `seed ${seed}: ${size} machines, ${named.length} named`)
  }
})

t.test('a network of a few dozen machines is named in full', async (t) => {
  const random = seeded(7)
  const others = Array.from({ length: ROSTER_CANDIDATES }, (_, i) => ({ ...machine(i, random), users: [] }))
  t.equal(rosterScope(relay, others).length, ROSTER_CANDIDATES + 1)
})

t.test('the next relay the election would pick is always named', async (t) => {
  const random = seeded(42)
  const others = Array.from({ length: 10_000 }, (_, i) => ({ ...machine(i, random), users: [] }))
  const best = [...others].sort(compareCandidates)[0]!
  const named = rosterScope(relay, others)
  t.equal(named.length, 1 + ROSTER_CANDIDATES, 'ten thousand machines without people: the relay and the candidates')
  t.ok(
    named.some((p) => p.nodeId === best.nodeId),
    'including the best of them',
  )
  t.equal(rosterScope(relay, others, 0).length, 1, 'with no candidates asked for, the relay alone')
})
