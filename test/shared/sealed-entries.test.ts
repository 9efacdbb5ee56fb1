/**
 * The schemas of encrypted rooms (shared/entries.ts, shared/files.ts): what a `room.key`, a
 * sealed message, its sealed blobs and its sealed content (files and their keys) may hold,
 * parsed without throwing.
 */
import t from 'tap'
import {
  EntryBody,
  FILE_NAME_MAX,
  MAX_BLOBS_PER_MESSAGE,
  MAX_FILES_PER_MESSAGE,
  MAX_MESSAGE_BYTES,
  SealedContent,
  SealedMessageContent,
  actorOf,
} from '../../shared/index.js'

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

const hex = (c: string) => c.repeat(64)
const seal = (c: string) => ({ blob: hex(c), size: 1000, key: 'K'.repeat(43) })
const file = { sha256: hex('a'), name: 'plans.pdf', size: 900, mime: 'application/pdf', seal: { original: seal('b') } }
const picture = {
  ...file,
  name: 'photo.jpg',
  mime: 'image/jpeg',
  picture: { width: 8, height: 6, thumbnail: hex('c'), thumbnailWidth: 4, thumbnailHeight: 3, display: hex('d'), mime: 'image/jpeg' },
  seal: { original: seal('b'), display: seal('e'), thumbnail: seal('f') },
}

t.test('sealed files: visible blobs in the entry, refs and keys in the sealed content', async (t) => {
  const post = { type: 'message.posted', room: 'r-abcdefghijkl', author: 'alice', text: '', sealed }
  t.ok(EntryBody.safeParse({ ...post, blobs: [{ sha256: hex('b'), size: 1000 }] }).success, 'a sealed post with its sealed blobs')
  t.notOk(EntryBody.safeParse({ ...post, blobs: [{ sha256: 'B'.repeat(64), size: 1000 }] }).success, 'a blob is named by a SHA-256')
  t.notOk(EntryBody.safeParse({ ...post, blobs: [{ sha256: hex('b'), size: 40 }] }).success, 'no sealed file is under 41 bytes')
  const many = Array.from({ length: MAX_BLOBS_PER_MESSAGE + 1 }, () => ({ sha256: hex('b'), size: 1000 }))
  t.notOk(EntryBody.safeParse({ ...post, blobs: many }).success, `at most ${MAX_BLOBS_PER_MESSAGE} blobs`)

  t.same(SealedMessageContent.safeParse({ text: 'hi' }).data, { text: 'hi' }, 'a message sealed before files could be still parses')
  t.ok(SealedMessageContent.safeParse({ text: '', files: [file, picture] }).success, 'a file and a picture with their seals')
  const noSizes = { ...picture, seal: { original: seal('b') } }
  t.notOk(SealedMessageContent.safeParse({ text: '', files: [noSizes] }).success, "a picture without its sizes' seals")
  t.notOk(SealedMessageContent.safeParse({ text: '', files: [{ ...file, seal: picture.seal }] }).success, 'sizes for what is no picture')
  const shortKey = { ...file, seal: { original: { ...seal('b'), key: 'K'.repeat(20) } } }
  t.notOk(SealedMessageContent.safeParse({ text: '', files: [shortKey] }).success, 'a key is 32 bytes')
  t.notOk(
    SealedMessageContent.safeParse({ text: '', files: [{ ...file, name: '../../.bashrc' }] }).success,
    'a sealed name is as clean as any',
  )
  t.notOk(SealedMessageContent.safeParse({ text: '', files: [{ ...file, seal: undefined }] }).success, 'a sealed file has its seal')
})

t.test('the sealed content bound holds the largest text with ten files of the longest names', async (t) => {
  // The worst of each: control characters escape to six bytes in JSON, a name's characters to three UTF-8 bytes.
  const files = Array.from({ length: MAX_FILES_PER_MESSAGE }, () => ({
    ...picture,
    name: '€'.repeat(FILE_NAME_MAX),
    mime: '\u0001'.repeat(100),
    size: Number.MAX_SAFE_INTEGER,
  }))
  const content = { text: '\u0001'.repeat(MAX_MESSAGE_BYTES), files }
  t.ok(SealedMessageContent.safeParse(content).success)
  const bytes = Buffer.byteLength(JSON.stringify(content)) + 16
  const ct = 'x'.repeat(Math.ceil((bytes * 4) / 3))
  t.ok(SealedContent.safeParse({ ...sealed, ct }).success, `its ciphertext (${bytes} bytes) fits the schema`)
})
