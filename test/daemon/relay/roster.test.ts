/**
 * The roster on the wire: a client that goes live gets the whole list, in parts that fit a
 * frame; after that only differences travel, and applying them gives every client the list
 * the relay has. Heads moving is not a difference worth a frame; a new term is.
 */
import t from 'tap'
import { MAX_FRAME_BYTES, ROSTER_CHUNK, parseFrame, type PeerSummary } from '../../../shared/index.js'
import { RosterBook, applyRoster, unlistedMachines, type RosterView } from '../../../daemon/relay/index.js'

const RELAY = 'aaaaaaaaaaaaaaaa'
const header = (term = 1, head = 10, machines = 3) => ({ relayId: RELAY, term, head, machines })
const peer = (i: number, users: string[] = []): PeerSummary => ({
  nodeId: i.toString(16).padStart(16, '0'),
  name: `pc-${i}`,
  host: `10.0.${i >> 8}.${i & 255}`,
  peerPort: 47801,
  startedAt: i,
  head: 10,
  users,
  away: [],
})
const ids = (v: RosterView | null) => (v?.peers.map((p) => p.nodeId) ?? []).sort()
const fold = (view: RosterView | null, frames: ReturnType<RosterBook['changes']>) => frames.reduce(applyRoster, view)

t.test('only differences travel, and they add up to the relay list', async (t) => {
  const book = new RosterBook()
  const first = book.changes(header(), [peer(1), peer(2)])
  t.equal(first.length, 1)
  t.same(
    first[0]!.peers.map((p) => p.name),
    ['pc-1', 'pc-2'],
    'new peers are sent',
  )
  let client = fold(null, book.snapshot(header()))
  t.same(ids(client), [peer(1).nodeId, peer(2).nodeId], 'a snapshot gives the whole list')

  t.same(book.changes(header(1, 99), [{ ...peer(1), head: 99 }, peer(2)]), [], 'heads moving is not a change')
  const presence = book.changes(header(), [peer(1, ['alice']), peer(2)])
  t.same(
    presence.map((f) => [f.peers.map((p) => p.name), f.gone]),
    [[['pc-1'], []]],
    'only the peer whose users changed',
  )
  client = fold(client, presence)
  t.same(client!.peers.find((p) => p.name === 'pc-1')!.users, ['alice'])

  const left = book.changes(header(), [peer(1, ['alice'])])
  t.same(
    left.map((f) => [f.peers, f.gone]),
    [[[], [peer(2).nodeId]]],
    'a peer that left is named in gone',
  )
  client = fold(client, left)
  t.same(ids(client), [peer(1).nodeId])
  const newTerm = book.changes(header(2), [peer(1, ['alice'])])
  t.equal(newTerm.length, 1, 'a new term is sent even with no peer change')
  t.equal(fold(client, newTerm)!.term, 2)
})

t.test('a large network goes out in parts that each pass the frame schema', async (t) => {
  const book = new RosterBook()
  const many = Array.from({ length: 2 * ROSTER_CHUNK + 5 }, (_, i) => peer(i + 1))
  const changes = book.changes(header(), many)
  t.equal(changes.length, 3, 'three parts')
  const snapshot = book.snapshot(header())
  t.same(
    snapshot.map((f) => f.reset),
    [true, false, false],
    'only the first part resets',
  )
  for (const f of [...changes, ...snapshot]) t.equal(parseFrame(JSON.stringify(f)).ok, true)
  t.same(
    book.snapshotFrames(header()),
    snapshot.map((f) => JSON.stringify(f)),
    'the serialized snapshot is the same list',
  )
  t.equal(book.snapshotFrames(header(1, 500)), book.snapshotFrames(header(1, 500)), 'and is made once between changes')
  book.changes(header(), many.slice(1))
  t.equal(JSON.parse(book.snapshotFrames(header())[0]!).peers.length, ROSTER_CHUNK, 'a change makes a new one')
  t.equal(book.snapshotFrames(header()).length, 3)
  const client = fold(fold(null, [{ type: 'roster', ...header(), reset: false, peers: [peer(99_999)], gone: [] }]), snapshot)
  t.equal(client!.peers.length, many.length, 'the reset dropped what was there before')
})

t.test('parts stay under the frame limit however many people a machine lists', async (t) => {
  const book = new RosterBook()
  const crowded = (i: number) => ({ ...peer(i), users: Array.from({ length: 1000 }, (_, u) => `user-${i}-${String(u).padStart(4, '0')}`) })
  const frames = book.changes(
    header(),
    Array.from({ length: 40 }, (_, i) => crowded(i + 1)),
  )
  t.ok(frames.length > 1, `split into ${frames.length} parts`)
  for (const f of frames) t.ok(JSON.stringify(f).length < MAX_FRAME_BYTES, `a part of ${f.peers.length} peers fits a frame`)
  t.equal(
    frames.reduce((n, f) => n + f.peers.length, 0),
    40,
    'every peer is in one part',
  )
})

t.test('a roster from another relay replaces, never merges', async (t) => {
  const before = applyRoster(null, { type: 'roster', ...header(), reset: false, peers: [peer(1)], gone: [] })
  const other = applyRoster(before, {
    type: 'roster',
    relayId: 'bbbbbbbbbbbbbbbb',
    term: 3,
    head: 0,
    reset: false,
    peers: [peer(2)],
    gone: [],
  })
  t.same(ids(other), [peer(2).nodeId])
  t.equal(other.relayId, 'bbbbbbbbbbbbbbbb')
})

t.test('a new count of machines alone waits for the safety net, then travels without a peer', async (t) => {
  const book = new RosterBook()
  let client = fold(null, book.changes(header(1, 10, 3), [peer(1), peer(2)]))
  t.equal(client!.machines, 3)
  t.same(book.changes(header(1, 10, 40), [peer(1), peer(2)]), [], 'not on every link that goes live')
  const due = book.changes(header(1, 10, 40), [peer(1), peer(2)], true)
  t.same(
    due.map((f) => [f.peers.length, f.gone.length, f.machines]),
    [[0, 0, 40]],
    'the safety net sends it',
  )
  client = fold(client, due)
  t.equal(client!.machines, 40)
  t.same(ids(client), [peer(1).nodeId, peer(2).nodeId].sort(), 'and the named list is kept')
  t.same(book.changes(header(1, 10, 40), [peer(1), peer(2)], true), [], 'once')
  t.equal(JSON.parse(book.snapshotFrames(header(1, 10, 41))[0]!).machines, 41, 'a snapshot has the count of when it is sent')
})

t.test('a new heartbeat period travels at once, without waiting for the safety net', async (t) => {
  const book = new RosterBook()
  book.changes({ ...header(1, 10, 1999), heartbeatMs: 2000 }, [peer(1)])
  t.same(book.changes({ ...header(1, 10, 2000), heartbeatMs: 2000 }, [peer(1)]), [], 'the same period: the count waits')
  const told = book.changes({ ...header(1, 10, 2001), heartbeatMs: 3000 }, [peer(1)])
  t.same(
    told.map((f) => [f.peers.length, f.machines, f.heartbeatMs]),
    [[0, 2001, 3000]],
    'a longer one goes out with the count',
  )
  t.same(book.changes({ ...header(1, 10, 2002), heartbeatMs: 3000 }, [peer(1)]), [], 'once')
})

t.test('a roster from a relay that sends no count names every machine', async (t) => {
  const view = applyRoster(null, { type: 'roster', relayId: RELAY, term: 1, head: 0, reset: true, peers: [peer(1), peer(2)], gone: [] })
  t.equal(view.machines, 2)
})

t.test('what a client counts but is not told of, itself aside', async (t) => {
  const view = (peers: PeerSummary[], machines: number): RosterView => ({ relayId: RELAY, term: 1, head: 0, peers, machines })
  t.equal(unlistedMachines(null, peer(1).nodeId), 0, 'no relay followed: nothing counted')
  t.equal(unlistedMachines(view([peer(9), peer(1)], 2), peer(1).nodeId), 0, 'every machine named, this one among them')
  t.equal(unlistedMachines(view([peer(9), peer(2)], 40), peer(1).nodeId), 37, 'this one is counted but knows itself')
  t.equal(unlistedMachines(view([peer(9), peer(1)], 40), peer(1).nodeId), 38)
})
