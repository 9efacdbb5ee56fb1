/**
 * Account fingerprints (Signal's numeric fingerprint for one account, daemon/accounts/fingerprint.ts):
 * fixed vectors, so the number never changes under anyone's feet by accident; the same keys and
 * name give the same number; any changed byte of either key, or another name, gives another.
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { accountFingerprint, FINGERPRINT_ITERATIONS, fingerprintOf, formatDigits } from '../../../daemon/accounts/fingerprint.js'

const bytes = (f: (i: number) => number) => Buffer.from(Array.from({ length: 32 }, (_, i) => f(i)))
const ALICE = { sign: bytes(() => 1).toString('base64url'), box: bytes(() => 2).toString('base64url') }
const BOB = { sign: bytes((i) => i).toString('base64url'), box: bytes((i) => 255 - i).toString('base64url') }

t.test('fixed vectors', async (t) => {
  t.equal(accountFingerprint('alice', ALICE), '50666 46796 39385 23433 06544 03961 29047 84177 09768 81148 37896 57193')
  t.equal(accountFingerprint('bob', BOB), '87682 01847 09511 51139 97482 62937 48627 28227 26356 90028 49644 15119')
  t.match(accountFingerprint('alice', ALICE), /^(\d{5} ){11}\d{5}$/, '12 groups of 5 digits')
})

t.test('the construction is Signal’s, written out once more here by hand', async (t) => {
  const publicKey = Buffer.concat([
    Buffer.from('SO-CHAT account fingerprint v1\n'),
    Buffer.from(ALICE.sign, 'base64url'),
    Buffer.from(ALICE.box, 'base64url'),
  ])
  let h = createHash('sha512')
    .update(Buffer.concat([Buffer.from([0, 0]), publicKey, Buffer.from([0, 5]), Buffer.from('alice')]))
    .digest()
  for (let i = 1; i < 5200; i++)
    h = createHash('sha512')
      .update(Buffer.concat([h, publicKey]))
      .digest()
  t.equal(FINGERPRINT_ITERATIONS, 5200, 'Signal’s iteration count')
  t.equal(formatDigits(h), accountFingerprint('alice', ALICE))
  // 0x00000186a7 = 100,007: each chunk is its 5 bytes big-endian, mod 100,000.
  t.equal(formatDigits(Buffer.concat([Buffer.from([0, 0, 0x01, 0x86, 0xa7]), Buffer.alloc(59)])).slice(0, 11), '00007 00000')
})

t.test('same keys and name: same number; the name’s case does not count (names are unique regardless of case)', async (t) => {
  t.equal(accountFingerprint('alice', { ...ALICE }), accountFingerprint('alice', ALICE))
  t.equal(accountFingerprint('Alice', ALICE), accountFingerprint('alice', ALICE))
})

t.test('any changed byte of either key, or another name, changes the number', async (t) => {
  const base = accountFingerprint('alice', ALICE)
  for (const which of ['sign', 'box'] as const) {
    for (const at of [0, 17, 31]) {
      const changed = Buffer.from(ALICE[which], 'base64url')
      changed[at]! ^= 0x01
      const other = accountFingerprint('alice', { ...ALICE, [which]: changed.toString('base64url') })
      t.not(other, base, `${which} key, byte ${at}`)
    }
  }
  t.not(accountFingerprint('alicf', ALICE), base, 'another name')
  t.not(accountFingerprint('alice2', ALICE), base, 'a longer name')
  t.not(accountFingerprint('alice', { sign: ALICE.box, box: ALICE.sign }), base, 'the two keys swapped')
})

t.test('an account without keys has no fingerprint; malformed keys are refused', async (t) => {
  t.equal(fingerprintOf({ username: 'olga' }), null)
  t.equal(fingerprintOf({ username: 'alice', keys: ALICE }), accountFingerprint('alice', ALICE))
  t.throws(() => accountFingerprint('alice', { sign: 'AAAA', box: ALICE.box }), TypeError)
})
