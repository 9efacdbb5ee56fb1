/**
 * A file a page opens while this machine is still fetching it (daemon/files/follow.ts): the
 * page gets the bytes as they arrive, exactly the file's; bytes that hash wrong stop the
 * page's download short and store nothing; two pages share one fetch; a page that leaves
 * part-way leaves no blob marked complete that was not verified.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { BlobStore, BlobTransfer, type BlobSource } from '../../../daemon/files/index.js'
import { machine, networkKey, peerServer } from '../../lib/peer-tls.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const log = pino({ level: 'silent' })
const KEY = networkKey()
const self = machine(KEY)
const MiB = 1024 * 1024

/** A member's peer port answering each GET with `answer`; counts the GETs. */
async function fakePeer(t: { teardown: (fn: () => unknown) => void }, answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const as = machine(KEY)
  let gets = 0
  const server = await peerServer(t, as, {
    blobs: async (req, res) => {
      gets++
      answer(req, res)
    },
  })
  const source: BlobSource = { name: 'relay', host: '127.0.0.1', port: server.port, nodeId: as.identity.nodeId }
  return { source, gets: () => gets }
}

/** A peer that sends `body`'s first half, then the rest only once `release()` is called. */
function halfThenWait(body: Buffer) {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  const answer = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-length': body.length })
    res.write(body.subarray(0, body.length / 2))
    void released.then(() => res.end(body.subarray(body.length / 2)))
  }
  return { answer, release }
}

async function setup(
  t: { teardown: (fn: () => unknown) => void; testdir: () => string },
  answer: (req: IncomingMessage, res: ServerResponse) => void,
) {
  const peer = await fakePeer(t, answer)
  const dir = join(t.testdir(), 'blobs')
  const store = await BlobStore.open(dir, 0)
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [peer.source],
    () => 64 * MiB,
    log,
  )
  return { peer, dir, store, transfer }
}

/** Reads `stream` to its end (or error), keeping what came; calls `onFirst` after the first piece. */
async function drain(stream: Readable, onFirst: () => void = () => {}) {
  const got: Buffer[] = []
  try {
    for await (const c of stream) {
      if (got.push(c as Buffer) === 1) onFirst()
    }
    return { bytes: Buffer.concat(got), error: null }
  } catch (error) {
    return { bytes: Buffer.concat(got), error: error as Error & { code?: string } }
  }
}

t.test('the page gets the file while it is still arriving, and the bytes are the file', async (t) => {
  const blob = randomBytes(4 * MiB)
  const peer = halfThenWait(blob)
  const { store, transfer } = await setup(t, peer.answer)
  const stream = await transfer.stream(sha(blob), blob.length)
  // The peer sends the second half only once the page has had bytes of the first.
  const { bytes, error } = await drain(stream, peer.release)
  t.equal(error, null, 'no error')
  t.equal(bytes.length, blob.length, 'every byte')
  t.equal(sha(bytes), sha(blob), 'and they are the file')
  t.equal(await store.size(sha(blob)), blob.length, 'stored once verified')
  const again = await drain(await transfer.stream(sha(blob), blob.length))
  t.equal(sha(again.bytes), sha(blob), 'a later page reads it from the store')
})

t.test('bytes that hash wrong stop the page short of the file, and nothing is stored', async (t) => {
  const blob = randomBytes(4 * MiB)
  const wrong = Buffer.from(blob)
  wrong.writeUInt8(wrong.readUInt8(wrong.length - 10) ^ 1, wrong.length - 10) // one bit, near the end
  const peer = halfThenWait(wrong)
  const { dir, store, transfer } = await setup(t, peer.answer)
  const { bytes, error } = await drain(await transfer.stream(sha(blob), blob.length), peer.release)
  t.ok(bytes.length > 0, 'the page had bytes before the hash was known')
  t.ok(bytes.length < blob.length, `but not all of them (${bytes.length} of ${blob.length}): the download fails`)
  t.ok(error && ['file_mismatch', 'file_unavailable'].includes(error.code ?? ''), `the stream errors (${error?.code})`)
  await t.rejects(transfer.ensure(sha(blob)), { code: 'file_unavailable' }, 'the fetch fails too')
  t.equal(await store.size(sha(blob)), null, 'nothing stored')
  t.notOk(existsSync(join(dir, 'incoming', `${sha(blob)}.part`)), 'nothing of the wrong bytes is left')
})

t.test('a page that has read nothing yet when bad bytes are thrown away gets the good ones from the next machine', async (t) => {
  const blob = randomBytes(MiB)
  const liar = await fakePeer(t, (_req, res) => res.end(randomBytes(MiB)))
  const honest = await fakePeer(t, (_req, res) => res.end(blob))
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [liar.source, honest.source],
    () => 64 * MiB,
    log,
  )
  const stream = await transfer.stream(sha(blob), blob.length)
  await transfer.ensure(sha(blob))
  const { bytes, error } = await drain(stream)
  t.equal(error, null, 'no error')
  t.equal(sha(bytes), sha(blob), "the page gets the honest machine's bytes, all of them")
})

t.test('two pages opening the same file at once share one fetch', async (t) => {
  const blob = randomBytes(3 * MiB)
  const peer = halfThenWait(blob)
  const { store, transfer, peer: relay } = await setup(t, peer.answer)
  const [a, b] = await Promise.all([transfer.stream(sha(blob), blob.length), transfer.stream(sha(blob), blob.length)])
  const [ra, rb] = await Promise.all([drain(a!, peer.release), drain(b!)])
  t.same([sha(ra.bytes), sha(rb.bytes)], [sha(blob), sha(blob)], 'both get the file')
  t.equal(relay.gets(), 1, 'the relay was asked once')
  t.equal(await store.size(sha(blob)), blob.length)
})

t.test('a page that leaves part-way: the fetch goes on, and only a verified blob is ever in place', async (t) => {
  const blob = randomBytes(4 * MiB)
  const peer = halfThenWait(blob)
  const { store, transfer } = await setup(t, peer.answer)
  const stream = await transfer.stream(sha(blob), blob.length)
  await new Promise<void>((resolve) => stream.once('data', () => resolve()))
  stream.destroy()
  t.equal(await store.size(sha(blob)), null, 'not in place while it is still arriving')
  peer.release()
  await transfer.ensure(sha(blob))
  const stored = await drain(store.read(sha(blob)))
  t.equal(sha(stored.bytes), sha(blob), 'the blob in place is the whole, verified file')
})

t.test('a page that leaves while the transfer is cut off: nothing is marked complete', async (t) => {
  const blob = randomBytes(2 * MiB)
  const { dir, store, transfer } = await setup(t, (_req, res) => {
    res.writeHead(200, { 'content-length': blob.length })
    res.write(blob.subarray(0, MiB), () => setTimeout(() => res.socket?.destroy(), 50))
  })
  const stream = await transfer.stream(sha(blob), blob.length)
  await new Promise<void>((resolve) => stream.once('data', () => resolve()))
  stream.destroy()
  await t.rejects(transfer.ensure(sha(blob)), { code: 'file_unavailable' }, 'every try was cut off')
  t.equal(await store.size(sha(blob)), null, 'no blob in place')
  t.ok(existsSync(join(dir, 'incoming', `${sha(blob)}.part`)), 'what arrived is kept aside, to resume from')
})

t.test('nobody has it: the page is told before anything is sent', async (t) => {
  const { transfer } = await setup(t, (_req, res) => {
    res.writeHead(404)
    res.end()
  })
  await t.rejects(transfer.stream('b'.repeat(64), 10), { code: 'file_unavailable' })
})
