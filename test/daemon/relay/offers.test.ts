/**
 * The relay's book of offered files (daemon/relay/offers.ts), with the clock played: a push is
 * allowed only for a blob the same machine offered, no bigger than offered nor than the relay
 * takes, within the offer's 10 minutes, once; one machine has at most so many outstanding.
 */
import t from 'tap'
import { OfferBook } from '../../../daemon/relay/offers.js'

const A = 'a'.repeat(16)
const B = 'b'.repeat(16)
const sha = (n: number) => n.toString(16).padStart(64, '0')
const MAX = 1000

function book(perMachine = 4, ttlMs = 600_000) {
  let now = 1_000_000
  const offers = new OfferBook({ perMachine, ttlMs }, () => now)
  return { offers, play: (ms: number) => (now += ms) }
}

t.test('a blob nobody offered is refused as not_offered', async (t) => {
  const { offers } = book()
  t.match(offers.check(A, sha(1), 10, MAX), { ok: false, code: 'not_offered' })
  t.match(offers.check(null, sha(1), 10, MAX), { ok: false, code: 'not_offered' }, 'nor from a machine without a key')
})

t.test('an offered blob may be pushed by the machine that offered it, up to the size offered, once', async (t) => {
  const { offers } = book()
  offers.offer(A, 'msg-1', [{ sha256: sha(1), bytes: 100 }])
  t.same(offers.check(A, sha(1), 100, MAX), { ok: true, maxBytes: 100 })
  t.same(offers.check(A, sha(1), 0, MAX), { ok: true, maxBytes: 100 }, 'a push that does not say its size reads no more than offered')
  t.match(offers.check(A, sha(1), 101, MAX), { ok: false, code: 'not_offered' }, 'bigger than offered: refused')
  t.match(offers.check(B, sha(1), 100, MAX), { ok: false, code: 'not_offered' }, "another machine cannot push A's offer")
  offers.used(A, sha(1))
  t.match(offers.check(A, sha(1), 100, MAX), { ok: false, code: 'not_offered' }, 'an offer allows one push')
})

t.test("the relay's own limit bounds an offer", async (t) => {
  const { offers } = book()
  offers.offer(A, 'msg-1', [{ sha256: sha(1), bytes: 5000 }])
  t.match(offers.check(A, sha(1), 5000, MAX), { ok: false, code: 'file_too_large' })
  t.same(offers.check(A, sha(1), 0, MAX), { ok: true, maxBytes: MAX })
})

t.test('offers expire after their 10 minutes; offering again renews one', async (t) => {
  const { offers, play } = book()
  offers.offer(A, 'msg-1', [
    { sha256: sha(1), bytes: 10 },
    { sha256: sha(2), bytes: 10 },
  ])
  play(500_000)
  offers.offer(A, 'msg-1', [{ sha256: sha(2), bytes: 10 }])
  play(100_001)
  t.match(offers.check(A, sha(1), 10, MAX), { ok: false, code: 'not_offered' }, 'expired')
  t.match(offers.check(A, sha(2), 10, MAX), { ok: true }, 'renewed')
  t.equal(offers.outstanding(A), 1)
  play(600_000)
  t.equal(offers.outstanding(A), 0, 'all gone')
})

t.test('one machine has at most so many outstanding: past that its oldest go, and nobody else’s', async (t) => {
  const { offers } = book(4)
  offers.offer(B, 'msg-b', [{ sha256: sha(100), bytes: 10 }])
  offers.offer(
    A,
    'msg-1',
    Array.from({ length: 6 }, (_, i) => ({ sha256: sha(i), bytes: 10 })),
  )
  t.equal(offers.outstanding(A), 4)
  t.match(offers.check(A, sha(0), 10, MAX), { ok: false }, 'the oldest went')
  t.match(offers.check(A, sha(1), 10, MAX), { ok: false })
  t.match(offers.check(A, sha(5), 10, MAX), { ok: true }, 'the newest stay')
  t.match(offers.check(B, sha(100), 10, MAX), { ok: true }, "another machine's offer is untouched")
  offers.forget(A)
  t.equal(offers.outstanding(A), 0, 'forgotten with its last link')
})

t.test('a blob belongs to the submission it was offered for, pushed or not, until that submission is ordered', async (t) => {
  const { offers, play } = book(8)
  offers.offer(A, 'msg-1', [{ sha256: sha(1), bytes: 10 }])
  t.equal(offers.claim(A, 'msg-1', sha(1)), 'offered', 'offered for msg-1')
  offers.used(A, sha(1))
  t.equal(offers.claim(A, 'msg-1', sha(1)), 'offered', 'still, once pushed')
  t.match(offers.check(A, sha(1), 10, MAX), { ok: false, code: 'not_offered' }, 'but it allows no second push')
  t.equal(offers.claim(A, 'msg-2', sha(1)), 'claimed', 'another submission of the same machine may not name it')
  t.equal(offers.claim(B, 'msg-b', sha(1)), 'claimed', "nor another machine's")
  t.equal(offers.claim(A, 'msg-1', sha(2)), 'none', 'a blob nobody offered is nobody’s')

  offers.offer(A, 'msg-2', [{ sha256: sha(1), bytes: 10 }])
  t.equal(offers.claim(A, 'msg-2', sha(1)), 'offered', 'offered for a second submission too (the same file posted twice)')
  t.equal(offers.claim(A, 'msg-1', sha(1)), 'offered', 'the first keeps its offer')

  offers.settled(A, 'msg-1')
  offers.settled(A, 'msg-2')
  t.equal(offers.claim(B, 'msg-b', sha(1)), 'none', 'once its submissions are ordered, the blob is nobody’s (a forward may name it)')
  t.equal(offers.outstanding(A), 0)

  offers.offer(A, 'msg-3', [{ sha256: sha(3), bytes: 10 }])
  play(600_000)
  t.equal(offers.claim(B, 'msg-b', sha(3)), 'none', 'an offer that expired claims nothing')
})
