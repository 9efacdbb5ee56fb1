/**
 * Files sealed with libsodium's secretstream: every size opens to the same bytes (empty, one
 * byte, exactly one chunk, several chunks with a short last one), and every way of damaging a
 * sealed file makes opening fail rather than pass altered bytes on: a flipped byte, a stream
 * cut short on a chunk boundary or mid-chunk, chunks swapped, a chunk dropped, bytes added
 * after the end, the wrong key.
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import t from 'tap'
import {
  FILE_CHUNK_BYTES,
  FileTampered,
  newFileKey,
  openedFileSize,
  openFileStream,
  sealedFileSize,
  sealFileStream,
} from '../../../daemon/sealing/index.js'

const SEALED_CHUNK = FILE_CHUNK_BYTES + 17

/** A copy of `bytes` with one bit of byte `at` flipped. */
function flipped(bytes: Buffer, at: number): Buffer {
  const out = Buffer.from(bytes)
  out.writeUInt8(out.readUInt8(at) ^ 1, at)
  return out
}

/** Pours `input` through `t` in pieces of `piece` bytes (how a disk or a socket hands them over). */
async function through(make: Promise<import('node:stream').Transform>, input: Buffer, piece = 100_000): Promise<Buffer> {
  const pieces: Buffer[] = []
  for (let i = 0; i < input.length; i += piece) pieces.push(input.subarray(i, i + piece))
  const out: Buffer[] = []
  await pipeline(Readable.from(pieces), await make, async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) out.push(c)
  })
  return Buffer.concat(out)
}

const seal = (key: Buffer, plain: Buffer, piece?: number) => through(sealFileStream(key), plain, piece)
const open = (key: Buffer, sealed: Buffer, piece?: number) => through(openFileStream(key), sealed, piece)

t.test('every size seals and opens to the same bytes', async (t) => {
  for (const size of [0, 1, FILE_CHUNK_BYTES - 1, FILE_CHUNK_BYTES, FILE_CHUNK_BYTES + 1, 3 * FILE_CHUNK_BYTES, 3 * FILE_CHUNK_BYTES + 5]) {
    const key = newFileKey()
    const plain = randomBytes(size)
    for (const piece of [1000, 70_000, 1024 * 1024]) {
      const sealed = await seal(key, plain, piece)
      t.equal(sealed.length, sealedFileSize(size), `${size} bytes: the sealed size is as computed (pieces of ${piece})`)
      t.equal(openedFileSize(sealed.length), size, `${size} bytes: the plain size follows from the sealed one`)
      t.ok((await open(key, sealed, piece)).equals(plain), `${size} bytes opened in pieces of ${piece}`)
    }
  }
  const key = newFileKey()
  const a = await seal(key, Buffer.from('same'))
  const b = await seal(key, Buffer.from('same'))
  t.not(a.toString('hex'), b.toString('hex'), 'a random header: the same bytes seal differently each time')
})

t.test('damaged sealed files never open', async (t) => {
  const key = newFileKey()
  const plain = randomBytes(3 * FILE_CHUNK_BYTES + 100)
  const sealed = await seal(key, plain)
  const chunkAt = (i: number) => sealed.subarray(24 + i * SEALED_CHUNK, 24 + (i + 1) * SEALED_CHUNK)
  const refuse = async (bytes: Buffer, what: string, k = key) =>
    t.rejects(open(k, bytes), { name: 'FileTampered', code: 'file_tampered' }, what).then(() => undefined)

  await refuse(flipped(sealed, 24 + SEALED_CHUNK + 10), 'a flipped byte in the second chunk')
  await refuse(flipped(sealed, 3), 'a flipped byte in the header')
  await refuse(flipped(sealed, sealed.length - 1), "a flipped byte in the final chunk's MAC")
  await refuse(sealed.subarray(0, 24 + 3 * SEALED_CHUNK), 'cut on a chunk boundary (the final chunk dropped)')
  await refuse(sealed.subarray(0, sealed.length - 1), 'cut one byte short')
  await refuse(sealed.subarray(0, 24), 'the header alone')
  await refuse(sealed.subarray(0, 10), 'part of the header')
  await refuse(Buffer.alloc(0), 'nothing at all')
  await refuse(
    Buffer.concat([sealed.subarray(0, 24), chunkAt(1), chunkAt(0), sealed.subarray(24 + 2 * SEALED_CHUNK)]),
    'two chunks swapped',
  )
  await refuse(Buffer.concat([sealed.subarray(0, 24), chunkAt(0), sealed.subarray(24 + 2 * SEALED_CHUNK)]), 'a chunk dropped')
  await refuse(Buffer.concat([sealed, Buffer.from('more')]), 'bytes after the final chunk')
  await refuse(Buffer.concat([sealed, sealed.subarray(24)]), 'the chunks again after the final chunk')
  await refuse(sealed, 'another key', newFileKey())
  const other = await seal(key, plain)
  await refuse(
    Buffer.concat([sealed.subarray(0, 24 + SEALED_CHUNK), other.subarray(24 + SEALED_CHUNK)]),
    'chunks of another sealing of the same file',
  )
})

t.test('what comes out before a damaged chunk is an authentic prefix, never altered bytes', async (t) => {
  const key = newFileKey()
  const plain = randomBytes(4 * FILE_CHUNK_BYTES)
  const sealed = flipped(await seal(key, plain), 24 + 2 * SEALED_CHUNK + 5)
  const got: Buffer[] = []
  const opener = await openFileStream(key)
  opener.on('data', (c: Buffer) => got.push(c))
  const failed = new Promise<unknown>((resolve) => opener.on('error', resolve))
  opener.end(sealed)
  t.type(await failed, FileTampered)
  const out = Buffer.concat(got)
  t.equal(out.length, 2 * FILE_CHUNK_BYTES, 'the two chunks before the damaged one')
  t.ok(out.equals(plain.subarray(0, out.length)), 'and they are the file as it was')
})

t.test('sizes that no sealed file has are told apart', async (t) => {
  t.equal(openedFileSize(0), null)
  t.equal(openedFileSize(24 + 16), null)
  t.equal(openedFileSize(24 + 17), 0)
  t.equal(openedFileSize(24 + SEALED_CHUNK + 1), null, 'a full chunk plus one byte: no chunk is that short')
})
