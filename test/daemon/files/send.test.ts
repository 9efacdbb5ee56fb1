/**
 * A blob sent from disk through two reused buffers (daemon/files/send.ts): a receiver that
 * takes its time still gets exactly the file's bytes (a buffer is read into again only after
 * the receiver said it took the last ones), a range gets exactly that range, and a receiver
 * that closes part-way stops the send with an error.
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { READ_CHUNK_BYTES } from '../../../daemon/files/blobs.js'
import { sendFromDisk } from '../../../daemon/files/send.js'

/**
 * A receiver that takes each chunk on a later turn, as a socket does, and checks then that the
 * chunk is still what it was when written (no buffer was read into again too soon).
 */
function slowReceiver(): { out: Writable; received: () => Buffer } {
  const copies: Buffer[] = []
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      const copy = Buffer.from(chunk)
      copies.push(copy)
      setImmediate(() => callback(chunk.equals(copy) ? null : new Error(`chunk ${copies.length} was overwritten before it was taken`)))
    },
  })
  return { out, received: () => Buffer.concat(copies) }
}

t.test('a slow receiver gets exactly the file, each chunk unchanged until taken', async (t) => {
  const file = join(t.testdir(), 'blob')
  const bytes = randomBytes(3 * READ_CHUNK_BYTES + 12_345)
  writeFileSync(file, bytes)
  const { out, received } = slowReceiver()
  await sendFromDisk(file, out)
  t.same(received(), bytes)
})

t.test('a range gets exactly those bytes', async (t) => {
  const file = join(t.testdir(), 'blob')
  const bytes = randomBytes(2 * READ_CHUNK_BYTES + 999)
  writeFileSync(file, bytes)
  const { out, received } = slowReceiver()
  await sendFromDisk(file, out, { start: READ_CHUNK_BYTES - 7, end: bytes.length - 2 })
  t.same(received(), bytes.subarray(READ_CHUNK_BYTES - 7, bytes.length - 1))
})

t.test('a receiver that closes part-way stops the send with an error', async (t) => {
  const file = join(t.testdir(), 'blob')
  writeFileSync(file, randomBytes(4 * READ_CHUNK_BYTES))
  let chunks = 0
  const out = new Writable({
    write(_chunk, _encoding, callback) {
      chunks++
      callback()
      this.destroy()
    },
  })
  await t.rejects(sendFromDisk(file, out))
  t.ok(chunks < 4, `it stopped after ${chunks} of 4 chunks`)
})
