/**
 * A term grows by at most one per election, and never past MAX_TERM. A promoting daemon takes
 * exactly one above the highest term it has seen (its own, live adverts of its network); a
 * relay that must raise its term takes one above its rivals'; an advert claiming more than
 * MAX_TERM is not even parsed; and near the bound nothing grows past it, let alone past
 * Number.MAX_SAFE_INTEGER.
 */
import t from 'tap'
import { MAX_TERM, PROTOCOL_VERSION, advertFromTxt, advertToTxt, type Advert } from '../../../shared/index.js'
import { decide, isTerm, nextTerm, raisedTerm } from '../../../daemon/election/index.js'
import { seededRandom as random } from '../../lib/seeded.js'

const id = (n: number) => n.toString(16).padStart(16, '0')
let nextId = 1
function advert(fields: Partial<Advert> = {}): Advert {
  return {
    proto: PROTOCOL_VERSION,
    network: 'default',
    nodeId: id(nextId++),
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

t.test('a promoted term is exactly one above the highest known, over random groups', async (t) => {
  const rnd = random(0x7e4a)
  const int = (n: number) => Math.floor(rnd() * n)
  // Small terms, and terms at the very top of the range.
  const term = () => (rnd() < 0.5 ? int(20) : MAX_TERM - int(20))
  const failures: string[] = []
  let promoted = 0
  for (let round = 0; round < 500; round++) {
    const knownTerm = term()
    // `self` is first in rank (longest log) so it is the one that promotes.
    const self = advert({ head: 100, term: Math.min(knownTerm, term()) })
    const peers = Array.from({ length: int(6) }, () =>
      advert({ head: int(100), term: term(), role: rnd() < 0.3 ? 'client' : 'electing', relayId: null }),
    )
    const d = decide({ self, peers, windowOver: true, knownTerm })
    const highest = Math.max(knownTerm, ...peers.map((p) => p.term))
    const where = `round ${round}: known ${knownTerm}, peers ${peers.map((p) => p.term).join(',')}`
    if (d.kind !== 'promote') {
      failures.push(`${where}: ${d.kind}`)
      continue
    }
    promoted++
    if (d.term !== highest + 1) failures.push(`${where}: promoted to ${d.term}, not ${highest + 1}`)
    if (!Number.isSafeInteger(d.term)) failures.push(`${where}: ${d.term} is not a safe integer`)
    const next = nextTerm([knownTerm, ...peers.map((p) => p.term)])
    if (next !== (highest < MAX_TERM ? highest + 1 : null)) failures.push(`${where}: nextTerm ${next}`)
  }
  t.same(failures, [], '500 random groups')
  t.equal(promoted, 500)
})

t.test('terms of other networks and protocols raise nobody’s term', async (t) => {
  const self = advert({ head: 5, term: 3 })
  const strangers = [advert({ network: 'other', term: 900 }), advert({ proto: PROTOCOL_VERSION + 1, term: 900 })]
  t.same(decide({ self, peers: strangers, windowOver: true, knownTerm: 3 }), { kind: 'promote', term: 4 })
  const relay = advert({ role: 'relay', term: 3 })
  t.same(raisedTerm(relay, [...strangers, { ...relay, term: 50 }]), { kind: 'keep' }, 'nor a relay’s, nor its own echo')
})

t.test('nextTerm: one above the highest, never past MAX_TERM, never from a non-term', async (t) => {
  t.equal(nextTerm([]), 1, 'the first term is 1')
  t.equal(nextTerm([0, 4, 2]), 5)
  t.equal(nextTerm([MAX_TERM - 1]), MAX_TERM, 'the last term may be taken')
  t.equal(nextTerm([MAX_TERM]), null, 'none after it')
  for (const bad of [MAX_TERM + 1, Number.MAX_SAFE_INTEGER, 2 ** 53, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.equal(nextTerm([3, bad]), null, `a seen value of ${bad} gives no term`)
    t.notOk(isTerm(bad), `${bad} is no term`)
  }
  t.ok(isTerm(0) && isTerm(MAX_TERM), '0 and MAX_TERM are terms')
  t.ok(MAX_TERM + 1 < Number.MAX_SAFE_INTEGER, 'one past the bound is still exact arithmetic')
})

t.test('a relay that must raise its term takes one above its rivals, or keeps its own at the bound', async (t) => {
  const self = advert({ role: 'relay', term: 7, head: 50 })
  t.same(raisedTerm(self, [advert({ role: 'relay', term: 3 })]), { kind: 'keep' }, 'a rival of an older term')
  t.same(raisedTerm(self, [advert({ role: 'relay', term: 7 })]), { kind: 'raise', term: 8 }, 'a rival of the same term')
  t.same(raisedTerm(self, [advert({ role: 'client', term: 12 })]), { kind: 'raise', term: 13 }, 'a client of a newer term')
  t.same(raisedTerm(self, [advert({ role: 'client', term: 7 })]), { kind: 'keep' }, 'a client of our term')
  t.same(
    raisedTerm(self, [advert({ role: 'relay', term: MAX_TERM })]),
    { kind: 'absurd', highest: MAX_TERM },
    'a rival at MAX_TERM leaves no term to take',
  )
})

t.test('an advert claiming a term past MAX_TERM is not even parsed', async (t) => {
  const txt = advertToTxt(advert({ role: 'relay', term: MAX_TERM }))
  t.equal(advertFromTxt(txt)?.term, MAX_TERM, 'MAX_TERM itself is a term')
  for (const term of [MAX_TERM + 1, 2 ** 53 - 1, '9999999999999999']) {
    t.equal(advertFromTxt({ ...txt, term: String(term) }), null, `term ${term}: no advert`)
  }
})
