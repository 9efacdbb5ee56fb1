/**
 * Which machine a file is asked of: the relay first (it has every file), then the machine the
 * message came from, then anyone, never this machine itself; and where a message's files go.
 */
import { createHash, randomBytes } from 'node:crypto'
import pino from 'pino'
import t from 'tap'
import type { PeerStatus, Submission } from '../../../shared/index.js'
import { openFiles, rankSources, relaySource } from '../../../daemon/files/index.js'
import { machine, networkKey, peerServer } from '../../lib/peer-tls.js'

const KEY = networkKey()

const peer = (nodeId: string, port: number): PeerStatus => ({
  nodeId,
  name: `m-${nodeId}`,
  host: `10.0.0.${port % 256}`,
  peerPort: port,
  head: 0,
  users: [],
  away: [],
})
const names = (sources: { name: string }[]) => sources.map((s) => s.name)

t.test('the relay first, then the origin, then the rest in the order they were listed', async (t) => {
  const peers = [peer('a', 1), peer('origin', 2), peer('b', 3), peer('relay', 4)]
  t.same(names(rankSources({ nodeId: 'me', relayId: 'relay', peers }, 'origin')), ['m-relay', 'm-origin', 'm-a', 'm-b'])
  t.same(
    rankSources({ nodeId: 'me', relayId: 'relay', peers }, 'origin')[0],
    { name: 'm-relay', host: '10.0.0.4', port: 4, nodeId: 'relay' },
    "pinned to the relay's node id",
  )
})

t.test('without an origin or a relay, everyone in the order they were listed', async (t) => {
  const peers = [peer('a', 1), peer('b', 2)]
  t.same(names(rankSources({ nodeId: 'me', relayId: null, peers })), ['m-a', 'm-b'])
})

t.test('this machine is never asked, even when it is the origin or the relay', async (t) => {
  const peers = [peer('me', 1), peer('a', 2)]
  t.same(names(rankSources({ nodeId: 'me', relayId: 'me', peers }, 'me')), ['m-a'])
})

t.test('the origin comes first when the relay is not among the peers', async (t) => {
  const peers = [peer('a', 1), peer('origin', 2)]
  t.same(names(rankSources({ nodeId: 'me', relayId: 'gone', peers }, 'origin')), ['m-origin', 'm-a'])
})

t.test('files are sent to the relay at its peer port, or nowhere when it is not known', async (t) => {
  const peers = [peer('a', 1), peer('relay', 2)]
  t.same(relaySource({ relayId: 'relay', peers }), { name: 'm-relay', host: '10.0.0.2', port: 2, nodeId: 'relay' })
  t.equal(relaySource({ relayId: 'gone', peers }), null)
  t.equal(relaySource({ relayId: null, peers }), null)
})

/**
 * A message resubmitted by the outbox after a partition (the merge's resubmission) can name a
 * file this machine never fetched: it is fetched (here from the machine the message came
 * from, since the new relay lacks it too), then offered and pushed; before, the outbox threw
 * "this machine does not have the file" at it every 2 s, for ever.
 */
t.test("a resubmitted message's file this machine never fetched is fetched, then offered and pushed to the relay", async (t) => {
  const blob = randomBytes(50_000)
  const sha256 = createHash('sha256').update(blob).digest('hex')
  const pushed: string[] = []
  const relayMachine = machine(KEY)
  const relay = await peerServer(t, relayMachine, {
    blobs: async (req, res) => {
      if (req.method === 'PUT') {
        const got: Buffer[] = []
        for await (const c of req) got.push(c as Buffer)
        pushed.push(createHash('sha256').update(Buffer.concat(got)).digest('hex'))
        res.writeHead(201).end('{"ok":true}')
      } else res.writeHead(404).end()
    },
  })
  const originMachine = machine(KEY)
  const origin = await peerServer(t, originMachine, { blobs: async (_req, res) => void res.writeHead(200).end(blob) })
  const peers = [
    { ...peer(relayMachine.identity.nodeId, relay.port), host: '127.0.0.1' },
    { ...peer(originMachine.identity.nodeId, origin.port), host: '127.0.0.1' },
  ]
  const view = { nodeId: 'f'.repeat(16), role: 'client' as const, relayId: relayMachine.identity.nodeId, peers, maxFileBytes: 1_000_000 }
  const files = await openFiles(t.testdir(), 1_000_000, () => view, machine(KEY).tls, pino({ level: 'silent' }))
  const offers: unknown[] = []
  const file = { sha256, name: 'report.pdf', size: blob.length, mime: 'application/pdf' }
  const resubmitted: Submission = {
    id: 'resubmitted-01',
    ts: Date.now(),
    origin: originMachine.identity.nodeId,
    body: { type: 'message.posted', room: 'general', author: 'alice', text: '', files: [file] },
  }
  await files.toRelay(resubmitted, async (o) => void offers.push(o))
  t.equal(await files.blobs.size(sha256), blob.length, 'the file was fetched here first')
  t.same(offers, [{ id: 'resubmitted-01', blobs: [{ sha256, bytes: blob.length }] }], 'then offered on the link')
  t.same(pushed, [sha256], 'and pushed to the relay')
})
