/**
 * Moving blobs between machines: a transfer that drops half-way goes on from where it stopped
 * (asking only for the rest, with Range), bytes that hash wrong are never kept, and the peer
 * side serves the rest of a blob from an offset.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { BlobStore, BlobTransfer, type BlobSource } from '../../../daemon/files/index.js'
import { machine, networkKey, peerServer, type Machine } from '../../lib/peer-tls.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const log = pino({ level: 'silent' })
const KEY = networkKey()
/** This machine, a member of KEY's network. */
const self = machine(KEY)

/**
 * A peer's port (a real PeerServer over TLS, a member unless `as` says otherwise) whose blob
 * handler answers each GET with `answer`, recording the Range each one asked for.
 */
async function fakePeer(
  t: { teardown: (fn: () => unknown) => void },
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void,
  as: Machine = machine(KEY),
) {
  const ranges: (string | undefined)[] = []
  const server = await peerServer(t, as, {
    blobs: async (req, res) => {
      ranges.push(req.headers.range)
      answer(req, res, ranges.length)
    },
  })
  const source: BlobSource = { name: 'peer', host: '127.0.0.1', port: server.port, nodeId: as.identity.nodeId }
  return { source, ranges }
}

t.test('a transfer cut off half-way goes on from where it stopped', async (t) => {
  const blob = randomBytes(3 * 1024 * 1024)
  const half = 1024 * 1024 + 17
  const peer = await fakePeer(t, (req, res, n) => {
    if (n === 1) {
      res.writeHead(200, { 'content-length': blob.length })
      res.write(blob.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 50))
      return
    }
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0)
    res.writeHead(206, { 'content-length': blob.length - start })
    res.end(blob.subarray(start))
  })
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [peer.source],
    () => 10 * 1024 * 1024,
    log,
  )
  await transfer.ensure(sha(blob))
  // What arrived before the cut is what the kernel had delivered: up to `half`, not always all of it.
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(peer.ranges[1] ?? '')?.[1])
  t.equal(peer.ranges.length, 2, 'two requests')
  t.ok(resumedAt > 0 && resumedAt <= half, `the second asked only for the rest, from byte ${resumedAt} (of ${half} sent before the cut)`)
  t.equal(await store.size(sha(blob)), blob.length, 'the whole blob is in place')
  const back: Buffer[] = []
  for await (const c of store.read(sha(blob))) back.push(c as Buffer)
  t.equal(sha(Buffer.concat(back)), sha(blob), 'and it is the same bytes')
})

t.test('bytes that hash wrong are thrown away, and the next machine is asked', async (t) => {
  const blob = randomBytes(100_000)
  const liar = await fakePeer(t, (_req, res) => res.end(randomBytes(100_000)))
  const honest = await fakePeer(t, (_req, res) => res.end(blob))
  const dir = join(t.testdir(), 'blobs')
  const store = await BlobStore.open(dir, 0)
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [liar.source, honest.source],
    () => 10 * 1024 * 1024,
    log,
  )
  await transfer.ensure(sha(blob))
  t.equal(await store.size(sha(blob)), blob.length, 'stored from the honest one')
  t.notOk(existsSync(join(dir, 'incoming', `${sha(blob)}.part`)), 'nothing of the wrong bytes is left')
  t.same(honest.ranges, [undefined], "which was asked for all of it, not for the rest of the liar's")
})

t.test('nobody has it: file_unavailable, nothing stored', async (t) => {
  const none = await fakePeer(t, (_req, res) => {
    res.writeHead(404)
    res.end()
  })
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [none.source],
    () => 1024,
    log,
  )
  await t.rejects(transfer.ensure('a'.repeat(64)), { code: 'file_unavailable' })
  t.equal(await store.size('a'.repeat(64)), null)
})

t.test('a source that is not an IP is never dialled: a roster could name anything', async (t) => {
  const blob = randomBytes(1000)
  const peer = await fakePeer(t, (_req, res) => res.end(blob))
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  // localhost and '' (node:http's default host) would both reach the fake peer if dialled.
  const named = [
    { ...peer.source, host: 'localhost' },
    { ...peer.source, host: '' },
  ]
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => named,
    () => 1024 * 1024,
    log,
  )
  await t.rejects(transfer.ensure(sha(blob)), { code: 'file_unavailable' })
  t.same(peer.ranges, [], 'no request reached the peer')
  await t.rejects(transfer.push(sha(blob), named[0]!), /no IP address/, 'nor is a file pushed to one')
})

t.test('the peer side serves the rest of a blob from an offset', async (t) => {
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const blob = randomBytes(5000)
  await store.receive(Readable.from([blob]), { maxBytes: blob.length })
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [],
    () => 1024 * 1024,
    log,
  )
  const server = createServer((req, res) => void transfer.serve(req, res, sha(blob)))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const rest = await fetch(url, { headers: { range: 'bytes=1000-' } })
  t.equal(rest.status, 206)
  t.equal(rest.headers.get('content-range'), `bytes 1000-4999/5000`)
  t.same(Buffer.from(await rest.arrayBuffer()), blob.subarray(1000), 'exactly the bytes from 1000 on')
  t.equal((await fetch(url, { headers: { range: 'bytes=5000-' } })).status, 416, 'past the end: 416')
})

t.test('a disk that would be left too full refuses a file before any byte is written', async (t) => {
  const { statfs } = await import('node:fs/promises')
  const dir = join(t.testdir(), 'blobs')
  const fs = await statfs(t.testdir())
  const free = fs.bavail * fs.bsize
  // The margin stands for "what the chat itself needs": as big as the free space, nothing fits.
  const store = await BlobStore.open(dir, free)
  await t.rejects(store.ensureRoom(1024 * 1024), { code: 'disk_full', message: /free some space/i }, 'disk_full, saying what to do')
  const roomy = await BlobStore.open(join(t.testdir(), 'roomy'), 0)
  await t.resolves(roomy.ensureRoom(1024 * 1024), 'with room to spare it goes ahead')
})

t.test('a machine that cannot prove the network key is never fetched from, whatever it serves', async (t) => {
  const blob = randomBytes(1000)
  const stranger = await fakePeer(t, (_req, res) => res.end(blob), machine(networkKey()))
  const keyless = await fakePeer(t, (_req, res) => res.end(blob), machine(null))
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [stranger.source, keyless.source],
    () => 1024 * 1024,
    log,
  )
  await t.rejects(transfer.ensure(sha(blob)), { code: 'file_unavailable' })
  t.same([stranger.ranges, keyless.ranges], [[], []], 'the server refused us (403 not_admitted): its handler never ran')
  t.equal(await store.size(sha(blob)), null, 'nothing stored')
})

t.test('a source pinned to one machine is not fetched from or pushed to when another machine answers there', async (t) => {
  const blob = randomBytes(1000)
  const other = await fakePeer(t, (_req, res) => res.end(blob)) // a member, but not the one named
  const store = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const pinned = { ...other.source, nodeId: machine(KEY).identity.nodeId }
  const transfer = new BlobTransfer(
    store,
    self.tls,
    () => [pinned],
    () => 1024 * 1024,
    log,
  )
  await t.rejects(transfer.ensure(sha(blob)), { code: 'file_unavailable' })
  await t.rejects(transfer.push(sha(blob), pinned), /not the .* we dialled/, 'nor is a file pushed to it')
  t.same(other.ranges, [], 'no request reached it')
})
