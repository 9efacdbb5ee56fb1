/** The schemas of encrypted rooms (shared/entries.ts): what a `room.key` and a sealed message may hold, parsed without throwing. */
import t from 'tap'
import { EntryBody, actorOf } from '../../shared/index.js'

const box = 'A'.repeat(107)
const key = {
  type: 'room.key',
  room: 'r-abcdefghijkl',
  by: 'alice',
  epoch: 1,
  sealed: { alice: box, bob: box },
  commitment: 'C'.repeat(43),
}
const sealed = { epoch: 1, nonce: 'N'.repeat(32), ct: 'x'.repeat(40) }

t.test('room.key', async (t) => {
  const parsed = EntryBody.safeParse(key)
  t.ok(parsed.success, 'a key for two members')
  t.equal(parsed.success && actorOf(parsed.data), 'alice', 'made (and signed) by `by`')
  t.notOk(EntryBody.safeParse({ ...key, epoch: 0 }).success, 'epochs start at 1')
  t.notOk(EntryBody.safeParse({ ...key, sealed: { alice: 'short' } }).success, 'a sealed key is 80 bytes')
  t.notOk(EntryBody.safeParse({ ...key, sealed: { 'not a name!': box } }).success, 'named by usernames')
  t.notOk(EntryBody.safeParse({ ...key, commitment: 'short' }).success, 'the commitment is 32 bytes')
  const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`user${i}`, box]))
  t.notOk(EntryBody.safeParse({ ...key, sealed: many }).success, 'at most 256 members')
})

t.test('sealed message content', async (t) => {
  const post = { type: 'message.posted', room: 'r-abcdefghijkl', author: 'alice', text: '', sealed }
  t.ok(EntryBody.safeParse(post).success, 'a sealed post with empty text')
  t.ok(
    EntryBody.safeParse({ type: 'message.edited', room: 'r-abcdefghijkl', target: 'entry-1-xx', author: 'alice', text: '', sealed })
      .success,
  )
  t.notOk(EntryBody.safeParse({ ...post, sealed: { ...sealed, nonce: 'N'.repeat(16) } }).success, 'the nonce is 24 bytes')
  t.notOk(EntryBody.safeParse({ ...post, sealed: { ...sealed, ct: 'x'.repeat(200_000) } }).success, 'the ciphertext is bounded')
  t.notOk(EntryBody.safeParse({ ...post, sealed: { ...sealed, ct: 'not base64url!' } }).success, 'the ciphertext is base64url')
  const parsed = EntryBody.safeParse({ ...post, sealed: { ...sealed, extra: 1 } })
  t.ok(parsed.success && !('extra' in ((parsed.data as { sealed?: object }).sealed ?? {})), 'unknown fields are dropped, as everywhere')
})
