/**
 * The election is a pure function of the adverts a daemon sees. These tests prove the rules
 * of daemon/election/README.md and, above all, that every member of a group that sees the same
 * adverts reaches the same answer: exactly one promotes, the others wait for that one.
 */
import t from 'tap'
import { PROTOCOL_VERSION, type Advert } from '../../../shared/index.js'
import { compareCandidates, compareRelays, decide, type Decision } from '../../../daemon/election/index.js'
import { seededRandom as random } from '../../lib/seeded.js'

let nextId = 1
function advert(fields: Partial<Advert> = {}): Advert {
  return {
    proto: PROTOCOL_VERSION,
    network: 'default',
    nodeId: (nextId++).toString(16).padStart(16, '0'),
    name: 'host',
    role: 'electing',
    term: 0,
    head: 0,
    startedAt: 1000,
    peerPort: 47801,
    relayId: null,
    ...fields,
  }
}
const id = (n: number) => n.toString(16).padStart(16, '0')
const after = (self: Advert, peers: Advert[], knownTerm = self.term) => decide({ self, peers, windowOver: true, knownTerm })

t.test('candidates rank by longest log, then earliest start, then lowest node id', async (t) => {
  const longLog = advert({ head: 10, startedAt: 9000, nodeId: id(9) })
  const early = advert({ head: 5, startedAt: 1000, nodeId: id(8) })
  const late = advert({ head: 5, startedAt: 2000, nodeId: id(1) })
  const lowId = advert({ head: 5, startedAt: 2000, nodeId: id(0) })
  t.ok(compareCandidates(longLog, early) < 0, 'a longer log beats an earlier start')
  t.ok(compareCandidates(early, late) < 0, 'an earlier start beats a lower node id')
  t.ok(compareCandidates(lowId, late) < 0, 'on a tie the lower node id wins')
  t.equal(compareCandidates(late, late), 0, 'a candidate ties with itself')
  t.same([late, lowId, early, longLog].sort(compareCandidates), [longLog, early, lowId, late])
})

t.test('relays rank by the longer log first, then the newer term, then as candidates', async (t) => {
  const lone = advert({ role: 'relay', term: 5, head: 1 })
  const established = advert({ role: 'relay', term: 4, head: 100, startedAt: 1 })
  t.ok(compareRelays(established, lone) < 0, 'a longer log beats a newer term (a lone machine behind a pulled cable does not take over)')
  const sameLogNewer = advert({ role: 'relay', term: 6, head: 1 })
  t.ok(compareRelays(sameLogNewer, lone) < 0, 'with equal logs the newer term wins')
})

t.test('the same electing adverts, seen from every member, promote exactly one', async (t) => {
  const rnd = random(0x50c4a7)
  const int = (n: number) => Math.floor(rnd() * n)
  const failures: string[] = []
  for (let round = 0; round < 300; round++) {
    const size = 2 + int(6)
    // Few distinct values, so ties on head and start time are common and the node id decides.
    const group = Array.from({ length: size }, (_, i) =>
      advert({
        nodeId: id(0x1000 + int(0x10000) * 8 + i),
        head: int(3),
        startedAt: 1000 + int(2),
        term: int(4),
      }),
    )
    const decisions = group.map((self) =>
      after(
        self,
        group.filter((p) => p !== self),
        self.term,
      ),
    )
    const promoters = group.filter((_, i) => decisions[i]!.kind === 'promote')
    const where = `round ${round}, ${JSON.stringify(group.map((a) => [a.nodeId, a.head, a.startedAt]))}`
    if (promoters.length !== 1) {
      failures.push(`${where}: ${promoters.length} promote`)
      continue
    }
    const winner = promoters[0]!
    const waiting = decisions.filter((d) => d.kind === 'wait' && d.for === winner.nodeId).length
    if (waiting !== size - 1) failures.push(`${where}: ${waiting} of ${size - 1} wait for the winner`)
    if ([...group].sort(compareCandidates)[0] !== winner) failures.push(`${where}: the winner is not the best candidate`)
  }
  t.same(failures, [], '300 random groups of 2-7 electing daemons: one promotes, the rest wait for it')
})

t.test('nobody promotes before the discovery window is over', async (t) => {
  const group = [advert({ head: 3 }), advert({ head: 1 }), advert()]
  for (const self of group) {
    const d = decide({ self, peers: group.filter((p) => p !== self), windowOver: false, knownTerm: 0 })
    t.same(d, { kind: 'wait', for: null }, `head ${self.head} waits`)
  }
  const alone = advert()
  t.same(decide({ self: alone, peers: [], windowOver: false, knownTerm: 0 }), { kind: 'wait', for: null }, 'alone too')
  t.equal(after(alone, []).kind, 'promote', 'alone, after the window, it promotes')
})

t.test('a daemon that is not relay joins the best relay it sees', async (t) => {
  const worse = advert({ role: 'relay', term: 4, head: 10 })
  const best = advert({ role: 'relay', term: 3, head: 50 })
  const electing = advert({ head: 999 })
  t.same(after(electing, [worse, best, advert()]), { kind: 'join', relay: best }, 'an electing daemon joins at once')
  t.same(
    decide({ self: electing, peers: [worse, best], windowOver: false, knownTerm: 0 }),
    { kind: 'join', relay: best },
    'even before the window ends',
  )
  const clientOfWorse = advert({ role: 'client', term: 4, relayId: worse.nodeId })
  t.same(after(clientOfWorse, [worse, best]), { kind: 'join', relay: best }, 'a client of a worse relay moves to the best')
  const clientOfBest = advert({ role: 'client', term: 3, relayId: best.nodeId })
  t.same(after(clientOfBest, [worse, best]), { kind: 'stay' }, 'a client of the best relay stays')
  t.same(after(clientOfBest, [advert()]), { kind: 'stay' }, 'a client does not start an election on its own')
})

t.test('two relays that see each other converge: the worse steps down, the better stays', async (t) => {
  const pairs: [string, Advert, Advert][] = [
    ['longer log, older term', advert({ role: 'relay', term: 6, head: 90 }), advert({ role: 'relay', term: 7, head: 1 })],
    ['same log, newer term', advert({ role: 'relay', term: 7, head: 40 }), advert({ role: 'relay', term: 6, head: 40 })],
    [
      'same log, earlier start',
      advert({ role: 'relay', term: 6, head: 9, startedAt: 5 }),
      advert({ role: 'relay', term: 6, head: 9, startedAt: 6 }),
    ],
    ['all else equal, lower id', advert({ role: 'relay', term: 6, nodeId: id(1) }), advert({ role: 'relay', term: 6, nodeId: id(2) })],
  ]
  for (const [why, better, worse] of pairs) {
    // Both directions: the peers list order must not matter either.
    t.same(after(worse, [better]), { kind: 'step-down', relay: better }, `${why}: the worse steps down to the better`)
    t.same(after(better, [worse]), { kind: 'stay' }, `${why}: the better stays`)
    t.same(after(worse, [advert(), better, worse]), { kind: 'step-down', relay: better }, `${why}: whatever else it sees`)
  }
  const a = advert({ role: 'relay', term: 2 })
  const b = advert({ role: 'relay', term: 2 })
  const c = advert({ role: 'relay', term: 1 })
  const kinds = [a, b, c].map(
    (self) =>
      after(
        self,
        [a, b, c].filter((p) => p !== self),
      ).kind,
  )
  t.same(kinds.filter((k) => k === 'stay').length, 1, 'of three relays, exactly one stays')
})

t.test('adverts of another network or protocol do not count', async (t) => {
  const self = advert({ head: 0 })
  const foreign = [
    advert({ network: 'other', role: 'relay', term: 9 }),
    advert({ proto: PROTOCOL_VERSION + 1, role: 'relay', term: 9 }),
    advert({ network: 'other', head: 100 }),
    advert({ proto: PROTOCOL_VERSION + 1, head: 100 }),
    { ...self, head: 100 }, // our own advert, echoed back by mDNS
  ]
  const d = after(self, foreign)
  t.equal(d.kind, 'promote', 'a daemon that only sees strangers promotes itself')
  t.same(d, { kind: 'promote', term: 1 }, 'their terms do not raise ours')
  const relay = advert({ role: 'relay', term: 1 })
  t.same(after(relay, foreign), { kind: 'stay' }, 'a relay does not step down for a stranger')
})

t.test('a promoted term is above every term known', async (t) => {
  const self = advert({ term: 2 })
  const cases: [string, Advert[], number][] = [
    ['its own saved term', [advert({ term: 1, head: 0, startedAt: 5000 })], 9],
    ['a peer’s term', [advert({ term: 12, startedAt: 5000 })], 2],
    ['a client’s term', [advert({ role: 'client', term: 20, relayId: id(7) })], 2],
  ]
  for (const [what, peers, knownTerm] of cases) {
    const d: Decision = after(self, peers, knownTerm)
    const highest = Math.max(knownTerm, self.term, ...peers.map((p) => p.term))
    t.equal(d.kind, 'promote', `${what}: it promotes`)
    if (d.kind === 'promote') t.ok(d.term > highest, `${what}: term ${d.term} > ${highest}`)
  }
})

t.test('a client whose relay is gone from sight still counts as a candidate', async (t) => {
  // Its advert is from before it noticed the loss: without this, two daemons could promote.
  const deadRelay = id(0xdead)
  const olderClient = advert({ role: 'client', relayId: deadRelay, head: 5, startedAt: 1 })
  const me = advert({ head: 5, startedAt: 2 })
  t.same(after(me, [olderClient]), { kind: 'wait', for: olderClient.nodeId }, 'we wait for the orphaned client that outranks us')
  const relay = advert({ role: 'relay', head: 5 })
  const happyClient = advert({ role: 'client', relayId: relay.nodeId, head: 5, startedAt: 1 })
  t.same(after(me, [happyClient, relay]).kind, 'join', 'a client whose relay we see is not a candidate: we join that relay')
})

t.test('a candidate passed over for not promoting no longer blocks the election', async (t) => {
  const stuck = advert({ head: 9 })
  const me = advert({ head: 1 })
  t.same(after(me, [stuck]), { kind: 'wait', for: stuck.nodeId }, 'first we wait for the better candidate')
  const skipped = new Set([stuck.nodeId])
  t.same(
    decide({ self: me, peers: [stuck], windowOver: true, knownTerm: 0, skipped }),
    { kind: 'promote', term: 1 },
    'once it is skipped, the next in rank promotes',
  )
})
