/**
 * A presence pass is a person's own word that they use one machine, until a time: it holds for
 * that machine and that person only, while it lasts, and any change to it breaks it.
 */
import t from 'tap'
import { checkPass, makePass } from '../../../daemon/accounts/index.js'
import { PASS_LIFETIME_MS, PresencePass } from '../../../shared/index.js'
import { testAccount } from '../../lib/accounts.js'

const H1 = '0123456789abcdef'
const H2 = 'fedcba9876543210'
const NOW = 1_780_000_000_000

t.test("a pass holds for the person's machine while it lasts", async (t) => {
  const alice = testAccount('alice')
  const pass = makePass('alice', H1, alice.secrets, alice.keys, NOW)
  t.ok(PresencePass.safeParse(pass).success, 'it has the shape a presence frame carries')
  t.equal(pass.until, NOW + PASS_LIFETIME_MS, 'it lasts a day')
  t.same(checkPass(pass, alice.keys.sign, H1, NOW + 1000), { ok: true }, 'on h1, signed by alice: good')
  t.same(checkPass(pass, alice.keys.sign, H2, NOW + 1000), { ok: false, reason: 'other_machine' }, 'not on another machine')
  t.same(checkPass(pass, alice.keys.sign, H1, pass.until), { ok: false, reason: 'expired' }, 'not once it has run out')
})

t.test('a pass changed, or made by someone else, does not hold', async (t) => {
  const alice = testAccount('alice')
  const mallory = testAccount('mallory')
  const pass = makePass('alice', H1, alice.secrets, alice.keys, NOW)
  t.same(
    checkPass({ ...pass, until: pass.until + 60_000 }, alice.keys.sign, H1, NOW),
    { ok: false, reason: 'bad_signature' },
    'made to last longer',
  )
  t.same(
    checkPass({ ...pass, username: 'bob' }, alice.keys.sign, H1, NOW),
    { ok: false, reason: 'bad_signature' },
    "alice's pass renamed as bob's (checked with alice's key)",
  )
  const forged = makePass('alice', H1, mallory.secrets, mallory.keys, NOW)
  t.same(checkPass(forged, alice.keys.sign, H1, NOW), { ok: false, reason: 'bad_signature' }, "mallory's pass in alice's name")
  const moved = makePass('alice', H2, alice.secrets, alice.keys, NOW)
  t.same(checkPass({ ...moved, machine: H1 }, alice.keys.sign, H1, NOW), { ok: false, reason: 'bad_signature' }, "h2's pass shown by h1")
  const farAhead = makePass('alice', H1, alice.secrets, alice.keys, NOW + 10 * PASS_LIFETIME_MS)
  t.same(
    checkPass(farAhead, alice.keys.sign, H1, NOW),
    { ok: false, reason: 'expired' },
    'made with a clock far ahead: it would last too long',
  )
})
