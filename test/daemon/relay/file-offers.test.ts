/**
 * Files pushed to the relay (PUT /peer/v1/blobs/<sha256>) against a real peer server, relay
 * and blob store, each linked machine a raw link of its own key: a push is stored only when
 * the same machine offered the blob on its link (an `offer` frame), no bigger than offered,
 * within the offer's 10 minutes and the machine's day's bytes; the message naming it is then
 * ordered, and a message may name only files offered for it or already at the relay on
 * nobody's offer (`file_not_offered`). Anything else is refused with a stable code and nothing
 * is stored. The daemon path (a client offering and pushing its message's files) is
 * test/daemon/http/files.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import pino from 'pino'
import WebSocket from 'ws'
import { PROTOCOL_VERSION, type Hello, type Submission } from '../../../shared/index.js'
import { BlobStore, BlobTransfer } from '../../../daemon/files/index.js'
import { Relay } from '../../../daemon/relay/index.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'
import { clientProof, machine, networkKey, peerServer, requestOn, tlsTo, type Machine } from '../../lib/peer-tls.js'

const NETWORK = 'default'
const KEY = networkKey()
const MAX_FILE = 64 * 1024
/** Alice signs what she sends, whichever machine she sends it from. */
const people = new TestPeople('alice')
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const silent = pino({ level: 'silent' })
let n = 0
const newId = () => `off-${String(++n).padStart(8, '0')}`

async function relayWithFiles(t: Test) {
  let now = Date.now()
  const relayMachine = machine(KEY)
  const store = await Store.open(join(t.testdir(), 'db'))
  const blobs = await BlobStore.open(join(t.testdir(), 'blobs'), 0)
  const replica = new Replica(store)
  const relay = new Relay(
    replica,
    1,
    {
      nodeId: relayMachine.identity.nodeId,
      name: 'relay',
      network: NETWORK,
      peerPort: 0,
      startedAt: Date.now(),
      presence: () => ({ users: [], away: [] }),
      hasBlob: async (s) => (await blobs.size(s)) !== null,
      maxFileBytes: MAX_FILE,
    },
    silent,
    { roster: () => undefined, typing: () => undefined },
    { now: () => now },
  )
  const transfer = new BlobTransfer(
    blobs,
    relayMachine.tls,
    () => [],
    () => MAX_FILE,
    silent,
  )
  const server = await peerServer(t, relayMachine, {
    onLink: (conn) => relay.attach(conn),
    blobs: (req, res, s) => transfer.serve(req, res, s, relay.blobGate),
  })
  t.teardown(async () => {
    relay.stop('test over')
    await store.close()
  })
  const signUp: Submission = people.sign({ id: newId(), ts: Date.now(), origin: 'c'.repeat(16), body: people.created('alice') })
  t.match(await relay.order(signUp), { ok: true })
  const stored = (b: Buffer) => existsSync(blobs.path(sha(b)))
  return { relay, store, port: server.port, stored, play: (ms: number) => (now += ms) }
}

/** A linked machine of its own key, up to date with the relay's log. */
async function link(port: number, store: Store, localAddress: string) {
  const as = machine(KEY)
  const socket = await tlsTo(port, as, { localAddress })
  const frames: { type: string; id?: string; seq?: number; code?: string }[] = []
  const ws = new WebSocket(`wss://127.0.0.1:${port}/peer/v1/link`, { createConnection: () => socket, headers: clientProof(KEY, socket) })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  ws.on('message', (d) => frames.push(JSON.parse(String(d))))
  const head = store.log.head
  const hello: Hello = {
    type: 'hello',
    proto: PROTOCOL_VERSION,
    network: NETWORK,
    nodeId: as.identity.nodeId,
    name: 'raw',
    startedAt: Date.now(),
    peerPort: 1,
    head,
    checkpoints: [{ seq: head, id: (await store.log.get(head))!.id }],
  }
  ws.send(JSON.stringify(hello))
  await until('a welcome', () => frames.some((f) => f.type === 'welcome'))
  const send = (frame: object) => new Promise<void>((resolve) => ws.send(JSON.stringify(frame), () => resolve()))
  return {
    as,
    frames,
    /** Offers blobs for a submission, and waits until the relay surely read the frame. */
    offer: async (id: string, files: { bytes: Buffer; size?: number }[]) => {
      await send({ type: 'offer', id, blobs: files.map((f) => ({ sha256: sha(f.bytes), bytes: f.size ?? f.bytes.length })) })
      await new Promise((r) => setTimeout(r, 100))
    },
    send,
    close: () => ws.close(),
  }
}

/** A PUT as a member's daemon sends it: over TLS with `as`'s certificate, proving the network key. */
async function put(port: number, bytes: Buffer, as: Machine, localAddress = '127.0.0.1'): Promise<{ status: number; code?: string }> {
  const socket = await tlsTo(port, as, { localAddress })
  try {
    const res = await requestOn(
      socket,
      'PUT',
      `/peer/v1/blobs/${sha(bytes)}`,
      { 'content-length': String(bytes.length), ...clientProof(KEY, socket) },
      bytes,
    ).catch((err: Error) => {
      // A refused push is answered before its body is read; the socket may close under the rest.
      if (err.message.includes('EPIPE') || err.message.includes('ECONNRESET')) return { status: 0, body: '' }
      throw err
    })
    return { status: res.status, code: res.body ? JSON.parse(res.body).error?.code : undefined }
  } finally {
    socket.destroy()
  }
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

t.test('a file is taken only when its machine offered it for a message; then the message is ordered', async (t) => {
  const { store, port, stored } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const b = await link(port, store, '127.0.0.2')
  const file = randomBytes(1000)

  t.same(await put(port, file, a.as), { status: 403, code: 'not_offered' }, 'a push nobody offered: refused')
  t.notOk(stored(file), 'and not stored')

  const id = newId()
  await a.offer(id, [{ bytes: file }])
  t.same(await put(port, file, b.as, '127.0.0.2'), { status: 403, code: 'not_offered' }, "another linked machine cannot push A's offer")
  t.notOk(stored(file), 'and not stored')
  t.same(
    await put(port, file, machine(KEY), '127.0.0.1'),
    { status: 403, code: 'not_linked' },
    'nor a machine with no link, from A’s address',
  )

  t.same(await put(port, file, a.as), { status: 201, code: undefined }, 'the machine that offered it pushes it')
  t.ok(stored(file), 'stored')
  t.same(await put(port, randomBytes(10), a.as), { status: 403, code: 'not_offered' }, 'its offer allowed that file only')

  const submission: Submission = people.sign({
    id,
    ts: Date.now(),
    origin: a.as.identity.nodeId,
    body: {
      type: 'message.posted',
      room: 'general',
      author: 'alice',
      text: 'a file',
      files: [{ sha256: sha(file), name: 'notes.txt', size: file.length, mime: 'text/plain' }],
    },
  })
  await a.send({ type: 'submit', submission })
  await until('an answer', () => a.frames.some((f) => (f.type === 'ack' || f.type === 'reject') && f.id === id))
  t.match(
    a.frames.find((f) => f.id === id),
    { type: 'ack' },
    'the message naming it is ordered',
  )
})

t.test('a push bigger than offered is refused, and nothing is stored', async (t) => {
  const { store, port, stored } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const file = randomBytes(2000)
  await a.offer(newId(), [{ bytes: file, size: 1000 }])
  t.same(await put(port, file, a.as), { status: 403, code: 'not_offered' })
  t.notOk(stored(file))
  const huge = randomBytes(MAX_FILE + 1)
  await a.offer(newId(), [{ bytes: huge }])
  t.same(await put(port, huge, a.as), { status: 413, code: 'file_too_large' }, "over the relay's limit, offered or not")
  t.notOk(stored(huge))
})

t.test('an offer expires after 10 minutes', async (t) => {
  const { store, port, stored, play } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const file = randomBytes(1000)
  await a.offer(newId(), [{ bytes: file }])
  play(10 * 60_000 + 1)
  t.same(await put(port, file, a.as), { status: 403, code: 'not_offered' })
  t.notOk(stored(file))
  await a.offer(newId(), [{ bytes: file }])
  t.same(await put(port, file, a.as), { status: 201, code: undefined }, 'offered again, it goes')
})

t.test('a machine pushes ten maximum-size files a day; another machine at the same address has a day of its own', async (t) => {
  const { store, port, stored } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const files = Array.from({ length: 11 }, () => randomBytes(MAX_FILE))
  await a.offer(
    newId(),
    files.map((bytes) => ({ bytes })),
  )
  for (const f of files.slice(0, 10)) t.same(await put(port, f, a.as), { status: 201, code: undefined })
  t.same(await put(port, files[10]!, a.as), { status: 429, code: 'rate_limited' }, 'the eleventh in a day is refused')
  t.notOk(stored(files[10]!), 'and not stored')
  const b = await link(port, store, '127.0.0.1')
  await b.offer(newId(), [{ bytes: files[10]! }])
  t.same(
    await put(port, files[10]!, b.as),
    { status: 201, code: undefined },
    'a second daemon on the same computer (its own key) is not held to the first one’s day',
  )
})

t.test("a machine's offers go with its link", async (t) => {
  const { store, port, stored } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const file = randomBytes(1000)
  await a.offer(newId(), [{ bytes: file }])
  a.close()
  await new Promise((r) => setTimeout(r, 200))
  t.same(await put(port, file, a.as), { status: 403, code: 'not_linked' })
  t.notOk(stored(file))
})

/** A message by alice in general naming `files`. */
const withFiles = (id: string, origin: string, ...files: Buffer[]): Submission =>
  people.sign({
    id,
    ts: Date.now(),
    origin,
    body: {
      type: 'message.posted',
      room: 'general',
      author: 'alice',
      text: 'files',
      files: files.map((f, i) => ({ sha256: sha(f), name: `f${i}.bin`, size: f.length, mime: 'application/octet-stream' })),
    },
  })

/** Sends `s` on `l` and waits for its answer. */
async function answer(l: Awaited<ReturnType<typeof link>>, s: Submission) {
  const answers = () => l.frames.filter((f) => (f.type === 'ack' || f.type === 'reject') && f.id === s.id)
  const before = answers().length
  await l.send({ type: 'submit', submission: s })
  await until('an answer', () => answers().length > before)
  return answers()[before]
}

t.test('a message may name a file only if it was offered for that message; offered for it, it is ordered', async (t) => {
  const { store, port } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const file = randomBytes(1000)
  const decoy = newId()
  await a.offer(decoy, [{ bytes: file }])
  t.same(await put(port, file, a.as), { status: 201, code: undefined }, 'pushed for one submission id')
  const head = store.log.head

  const other = withFiles(newId(), a.as.identity.nodeId, file)
  t.match(
    await answer(a, other),
    { type: 'reject', code: 'file_not_offered', message: /not offered to the relay for this message/ },
    'a message with another id naming it is refused',
  )
  t.equal(store.log.head, head, 'nothing is ordered')

  await a.offer(other.id, [{ bytes: file }])
  t.same(await put(port, file, a.as), { status: 201, code: undefined }, 'offered for it, the push goes again (the relay keeps one copy)')
  t.match(await answer(a, other), { type: 'ack', seq: head + 1 }, 'then the same message is ordered')
})

t.test('a machine cannot name a file another machine pushed for its own message', async (t) => {
  const { store, port } = await relayWithFiles(t)
  const a = await link(port, store, '127.0.0.1')
  const b = await link(port, store, '127.0.0.2')
  const file = randomBytes(1000)
  const mine = withFiles(newId(), a.as.identity.nodeId, file)
  await a.offer(mine.id, [{ bytes: file }])
  t.same(await put(port, file, a.as), { status: 201, code: undefined })

  const theirs = withFiles(newId(), b.as.identity.nodeId, file)
  t.match(await answer(b, theirs), { type: 'reject', code: 'file_not_offered' }, "B naming A's pending file is refused")
  t.match(
    await answer(b, people.sign({ ...mine, origin: b.as.identity.nodeId })),
    { type: 'reject', code: 'file_not_offered' },
    "even under A's submission id",
  )
  t.match(await answer(a, mine), { type: 'ack' }, "A's own message is ordered")
})

t.test(
  'a file the relay has on nobody’s offer (an ordered message’s, forwarded) may be named; a file nobody offered and the relay lacks may not',
  async (t) => {
    const { store, port } = await relayWithFiles(t)
    const a = await link(port, store, '127.0.0.1')
    const b = await link(port, store, '127.0.0.2')
    const file = randomBytes(1000)
    const first = withFiles(newId(), a.as.identity.nodeId, file)
    await a.offer(first.id, [{ bytes: file }])
    t.same(await put(port, file, a.as), { status: 201, code: undefined })
    t.match(await answer(a, first), { type: 'ack' }, 'the first message with it is ordered')

    t.match(
      await answer(b, withFiles(newId(), b.as.identity.nodeId, file)),
      { type: 'ack' },
      'another machine forwarding it, without an offer, is ordered',
    )
    t.match(await answer(a, withFiles(newId(), a.as.identity.nodeId, file)), { type: 'ack' }, 'and so is its sender posting it again')

    const missing = randomBytes(1000)
    t.match(
      await answer(b, withFiles(newId(), b.as.identity.nodeId, missing)),
      { type: 'reject', code: 'file_not_offered' },
      'a file never offered, that the relay does not have, is refused as not offered',
    )
    const offered = withFiles(newId(), b.as.identity.nodeId, missing)
    await b.offer(offered.id, [{ bytes: missing }])
    t.match(
      await answer(b, offered),
      { type: 'reject', code: 'file_unavailable' },
      'offered but not pushed yet: file_unavailable, as before (the outbox pushes it and resends)',
    )
  },
)
