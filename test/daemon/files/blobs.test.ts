/**
 * The blob store's way in and out with TLS-sized pieces: a body that arrives in ~16 KiB pieces
 * (as a TLS record delivers it) is written to disk in far fewer, larger writes, and still a
 * blob is stored only when all of it arrived and hashes right; bytes that hash wrong, a body
 * cut off, or one over the limit leave nothing in the store or among the files arriving
 * (a fetch cut off keeps its part to resume from, and resumes right). Blobs are read back in
 * pieces of READ_CHUNK_BYTES.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { BlobStore } from '../../../daemon/files/index.js'
import { READ_CHUNK_BYTES } from '../../../daemon/files/blobs.js'
import { BlobSink } from '../../../daemon/files/sink.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const RECORD = 16 * 1024
const MiB = 1024 * 1024

/** `bytes` in TLS-record-sized pieces; with `cutAfter`, the stream fails after that many bytes. */
function records(bytes: Buffer, cutAfter?: number): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += RECORD) {
        if (cutAfter !== undefined && at >= cutAfter) throw new Error('connection reset')
        yield bytes.subarray(at, at + RECORD)
      }
    })(),
    { objectMode: false },
  )
}

/** Files in the store's blobs and arriving folders. */
function leftIn(dir: string): { blobs: string[]; incoming: string[] } {
  const blobs = readdirSync(join(dir, 'sha256')).flatMap((p) => readdirSync(join(dir, 'sha256', p)))
  return { blobs, incoming: readdirSync(join(dir, 'incoming')) }
}

t.test('TLS-sized pieces are written to disk in far fewer writes, and the blob is those bytes', async (t) => {
  const dir = join(t.testdir(), 'blobs')
  await BlobStore.open(dir, 0)
  const bytes = randomBytes(8 * 1024 * 1024)
  const sink = new BlobSink(join(dir, 'incoming', 'x'), { append: false, maxBytes: bytes.length, tooLarge: () => new Error('too large') })
  const { pipeline } = await import('node:stream/promises')
  await pipeline(records(bytes), sink)
  await sink.settled()
  const pieces = bytes.length / RECORD
  t.ok(sink.writes < pieces / 4, `${pieces} pieces went to disk in ${sink.writes} writes`)
  t.equal(sink.size, bytes.length, 'every byte counted')
  t.equal(sink.hash.digest('hex'), sha(bytes), 'and hashed in order')
  t.same(readFileSync(join(dir, 'incoming', 'x')), bytes, 'and written in order')
})

t.test('a few pieces on a slow link reach disk before the body ends, and are said to be there', async (t) => {
  const dir = join(t.testdir(), 'blobs')
  await BlobStore.open(dir, 0)
  const file = join(dir, 'incoming', 'x')
  const bytes = randomBytes(5 * RECORD)
  let told!: (bytes: number) => void
  const onDisk = new Promise<number>((resolve) => (told = resolve))
  const sink = new BlobSink(file, { append: false, maxBytes: MiB, tooLarge: () => new Error('too large'), onDisk: (n) => told(n) })
  for (let at = 0; at < bytes.length; at += RECORD) sink.write(bytes.subarray(at, at + RECORD))
  t.equal(await onDisk, bytes.length, 'all five pieces (well under a batch) were written')
  t.same(readFileSync(file), bytes, 'and are in the file while the body is still open')
  sink.end()
  await sink.settled()
})

t.test('receive: a blob is stored only once all of it arrived and hashed right', async (t) => {
  const dir = join(t.testdir(), 'blobs')
  const store = await BlobStore.open(dir, 0)
  const bytes = randomBytes(3 * 1024 * 1024 + 123)
  const stored = await store.receive(records(bytes), { maxBytes: bytes.length, expected: sha(bytes) })
  t.same(stored, { sha256: sha(bytes), size: bytes.length })
  t.same(readFileSync(store.path(sha(bytes))), bytes, 'the stored blob is the bytes sent')

  const other = randomBytes(2 * 1024 * 1024)
  await t.rejects(store.receive(records(other), { maxBytes: other.length, expected: sha(randomBytes(8)) }), { code: 'file_mismatch' })
  await t.rejects(store.receive(records(other, 1024 * 1024), { maxBytes: other.length }), /connection reset/, 'cut off half-way')
  await t.rejects(store.receive(records(other), { maxBytes: other.length - 1 }), { code: 'file_too_large' }, 'one byte over the limit')
  t.same(leftIn(dir), { blobs: [sha(bytes)], incoming: [] }, 'none of the three left anything behind')
})

t.test('a fetch cut off keeps what arrived and resumes from it; a wrong or oversized one leaves nothing', async (t) => {
  const dir = join(t.testdir(), 'blobs')
  const store = await BlobStore.open(dir, 0)
  const bytes = randomBytes(4 * 1024 * 1024 + 5)
  const partial = store.partial(sha(bytes), bytes.length)
  await t.rejects(partial.take(records(bytes, 2 * 1024 * 1024), false), /connection reset/)
  const have = await partial.have()
  t.equal(have, 2 * 1024 * 1024, 'every piece that arrived before the cut is on disk, even those still waiting for the disk then')
  t.same(leftIn(dir).blobs, [], 'not a blob yet')
  const stored = await partial.take(records(bytes.subarray(have)), false)
  t.same(stored, { sha256: sha(bytes), size: bytes.length }, 'the rest completes it')
  t.same(readFileSync(store.path(sha(bytes))), bytes)

  const liar = store.partial(sha(randomBytes(8)), bytes.length)
  await t.rejects(liar.take(records(bytes), false), { code: 'file_mismatch' })
  const big = store.partial(sha(bytes.subarray(1)), bytes.length - 2)
  await t.rejects(big.take(records(bytes.subarray(1)), false), { code: 'file_too_large' })
  t.same(leftIn(dir), { blobs: [sha(bytes)], incoming: [] }, 'neither the wrong bytes nor the oversized ones are kept')
})

t.test('a blob is read back in pieces of READ_CHUNK_BYTES, from an offset too', async (t) => {
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const bytes = randomBytes(2 * READ_CHUNK_BYTES + 10)
  await store.receive(Readable.from([bytes]), { maxBytes: bytes.length })
  const sizes: number[] = []
  const back: Buffer[] = []
  for await (const c of store.read(sha(bytes))) {
    sizes.push((c as Buffer).length)
    back.push(c as Buffer)
  }
  t.same(sizes, [READ_CHUNK_BYTES, READ_CHUNK_BYTES, 10])
  t.same(Buffer.concat(back), bytes)
  const rest: Buffer[] = []
  for await (const c of store.read(sha(bytes), { start: 5, end: bytes.length - 1 })) rest.push(c as Buffer)
  t.same(Buffer.concat(rest), bytes.subarray(5), 'a range is still exactly its bytes')
  t.equal(statSync(store.path(sha(bytes))).mode & 0o777, 0o600, 'owner-only, as before')
  t.notOk(existsSync(join(store.dir, 'incoming', sha(bytes))))
})
