/**
 * Room keys sealed to members and message text under them: what opens, and every way of
 * tampering that must not (a flipped ciphertext byte, another room, epoch or author in the
 * associated data, a key sealed to someone else, a key that does not match its commitment).
 */
import t from 'tap'
import { newAccountSecrets, publicKeysOf } from '../../../daemon/accounts/keys.js'
import { decryptContent, encryptContent, newRoomKey, openRoomKey, roomKeyCommitment, sealRoomKey } from '../../../daemon/sealing/index.js'
import { SealedContent } from '../../../shared/index.js'

const alice = newAccountSecrets()
const bob = newAccountSecrets()
const at = { room: 'r-abcdefghijkl', epoch: 3, author: 'alice' }

function flip(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64url')
  bytes[index] = (bytes[index] ?? 0) ^ 0x01
  return bytes.toString('base64url')
}

t.test('a room key sealed to a member opens with their key only, and only if it matches its commitment', async (t) => {
  const key = await newRoomKey()
  t.equal(key.length, 32)
  const commitment = await roomKeyCommitment(key, at)
  const sealed = await sealRoomKey(key, publicKeysOf(alice).box)
  t.equal(Buffer.from(sealed, 'base64url').length, 80, '32 bytes of key, 48 of sealed-box overhead')
  const opened = await openRoomKey(sealed, alice.box, { ...at, commitment })
  t.same(opened, key, 'alice opens it')
  t.equal(await openRoomKey(sealed, bob.box, { ...at, commitment }), null, 'bob cannot open a key sealed to alice')
  t.equal(await openRoomKey(flip(sealed, 50), alice.box, { ...at, commitment }), null, 'a flipped byte does not open')
  t.equal(await openRoomKey(sealed, alice.box, { ...at, epoch: 4, commitment }), null, 'the commitment names the epoch')
  t.equal(await openRoomKey(sealed, alice.box, { ...at, room: 'r-other0000000', commitment }), null, 'and the room')
  const other = await newRoomKey()
  const split = await sealRoomKey(other, publicKeysOf(alice).box)
  t.equal(await openRoomKey(split, alice.box, { ...at, commitment }), null, 'another key than the committed one is refused (no split room)')
  t.equal(await openRoomKey('AAAA', alice.box, { ...at, commitment }), null, 'a short box is refused, not thrown')
})

t.test('text encrypted under a room key opens in its own context only', async (t) => {
  const key = await newRoomKey()
  const sealed = await encryptContent(key, at, { text: 'the launch is on Friday' })
  t.ok(SealedContent.safeParse(sealed).success, 'the schema takes what we make')
  t.equal(sealed.epoch, 3)
  t.notMatch(Buffer.from(sealed.ct, 'base64url').toString('latin1'), /Friday/, 'no plaintext in the ciphertext')
  t.same(await decryptContent(key, at, sealed), { text: 'the launch is on Friday' })
  t.same(await decryptContent(key, { ...at, author: 'ALICE' }, sealed), { text: 'the launch is on Friday' }, 'names regardless of case')
  const again = await encryptContent(key, at, { text: 'the launch is on Friday' })
  t.not(again.nonce, sealed.nonce, 'a fresh random nonce each time')
  t.not(again.ct, sealed.ct)

  t.equal(await decryptContent(key, at, { ...sealed, ct: flip(sealed.ct, 3) }), null, 'a flipped ciphertext byte')
  t.equal(
    await decryptContent(key, at, { ...sealed, ct: flip(sealed.ct, Buffer.from(sealed.ct, 'base64url').length - 1) }),
    null,
    'a flipped tag byte',
  )
  t.equal(await decryptContent(key, at, { ...sealed, nonce: flip(sealed.nonce, 0) }), null, 'another nonce')
  t.equal(await decryptContent(key, { ...at, room: 'r-other0000000' }, sealed), null, 'replayed into another room')
  t.equal(await decryptContent(key, { ...at, author: 'mallory' }, sealed), null, 'attributed to someone else')
  t.equal(await decryptContent(key, { ...at, epoch: 4 }, { ...sealed, epoch: 4 }), null, 'claimed for another epoch')
  t.equal(await decryptContent(key, at, { ...sealed, epoch: 4 }), null, 'an epoch that is not the one asked for')
  t.equal(await decryptContent(await newRoomKey(), at, sealed), null, 'under another key')
})

t.test('authentic ciphertext that is not {text} is refused, not thrown', async (t) => {
  const key = await newRoomKey()
  const sodium = (await import('libsodium-wrappers')).default
  await sodium.ready
  const nonce = sodium.randombytes_buf(24)
  const ad = Buffer.from(`SO-CHAT room message v1\n{"author":"alice","epoch":3,"room":"r-abcdefghijkl"}`)
  for (const plain of ['not json', '{"text":5}', 'null']) {
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(Buffer.from(plain), ad, null, nonce, key)
    const sealed = { epoch: 3, nonce: Buffer.from(nonce).toString('base64url'), ct: Buffer.from(ct).toString('base64url') }
    t.equal(await decryptContent(key, at, sealed), null, `plaintext ${plain}`)
  }
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(Buffer.from('{"text":"hi"}'), ad, null, nonce, key)
  const ok = { epoch: 3, nonce: Buffer.from(nonce).toString('base64url'), ct: Buffer.from(ct).toString('base64url') }
  t.same(await decryptContent(key, at, ok), { text: 'hi' }, 'the associated data is the documented one')
})
