/**
 * The roster a relay sends to a large network: each client hears of the machines it needs
 * (the relay, those with people on them, the likeliest next relays) and a count of the rest;
 * a machine joining that is none of those costs nobody a frame.
 */
import t from 'tap'
import { parseFrame, ROSTER_CANDIDATES, type Hello, type Roster } from '../../../shared/index.js'
import { HEARTBEAT_MS, type PeerConnection } from '../../../daemon/link/index.js'
import { applyRoster, type RosterView } from '../../../daemon/relay/index.js'
import type { ClientLink } from '../../../daemon/relay/clients.js'
import { ROSTER_COALESCE_MS, RosterFeed } from '../../../daemon/relay/roster-feed.js'

const RELAY = 'f'.repeat(16)
const id = (i: number) => (i + 1).toString(16).padStart(16, '0')

/** A client daemon's link as the relay keeps it; `sent` is every frame the feed wrote to it. */
function link(i: number, users: string[] = []): { conn: PeerConnection; link: ClientLink; sent: string[]; periods: number[] } {
  const sent: string[] = []
  const periods: number[] = []
  const hello: Hello = {
    type: 'hello',
    proto: 1,
    network: 'default',
    nodeId: id(i),
    name: `pc-${i}`,
    startedAt: 1_000 + i,
    peerPort: 47801,
    head: 9,
    checkpoints: [],
  }
  // The feed reads who the link is and who is on it; the rest of a link is the relay's.
  const fields = { hello, host: `10.0.0.${i + 1}`, live: true, users, away: [], machine: id(i) }
  const conn = { sendRaw: (f: string) => sent.push(f), setHeartbeat: (ms: number) => periods.push(ms) }
  return { conn: conn as unknown as PeerConnection, link: fields as unknown as ClientLink, sent, periods }
}

/** What a client makes of the frames it was sent, parsed as its link would. */
function heard(sent: string[]): RosterView | null {
  return sent.reduce<RosterView | null>((view, raw) => {
    const parsed = parseFrame(raw)
    if (!parsed.ok || parsed.frame.type !== 'roster') throw new Error(`not a roster frame: ${raw.slice(0, 80)}`)
    return applyRoster(view, parsed.frame as Roster)
  }, null)
}

function feedOver(links: ReturnType<typeof link>[]): { feed: RosterFeed; map: Map<PeerConnection, ClientLink> } {
  const map = new Map(links.map((l) => [l.conn, l.link]))
  const self = { nodeId: RELAY, name: 'relay', peerPort: 47801, startedAt: 1, presence: () => ({ users: ['carol'], away: [] }) }
  const feed = new RosterFeed(
    self,
    () => ({ relayId: RELAY, term: 2, head: 9 }),
    () => map,
    () => {},
  )
  return { feed, map }
}

t.test('two hundred machines: each client is told of the relay, the occupied and the candidates, and counts the rest', async (t) => {
  const links = Array.from({ length: 200 }, (_, i) => link(i, i === 150 ? ['alice'] : []))
  const { feed } = feedOver(links)
  t.teardown(() => feed.stop())
  const view = heard(links[199]!.sent)
  t.equal(view?.machines, 201, 'every machine counted, the relay included')
  const named = new Set(view?.peers.map((p) => p.nodeId))
  t.equal(named.size, 1 + 1 + ROSTER_CANDIDATES, 'relay, one occupied machine, the candidates')
  t.ok(named.has(RELAY) && named.has(id(150)), 'the relay and the machine alice is on')
  t.ok(
    Array.from({ length: ROSTER_CANDIDATES }, (_, i) => id(i)).every((n) => named.has(n)),
    'the candidates are the oldest machines',
  )
  const snapshot = feed.snapshotFrames()
  t.same(heard(snapshot.frames), view, 'a link going live is told the same')
  t.equal(snapshot.heartbeatMs, HEARTBEAT_MS, 'two hundred machines keep the shortest heartbeat')
  t.equal(feed.view().peers.length, 201, "the relay's own view lists every link")
})

t.test('a machine joining that is not named sends nobody a frame; one with a person on it is sent to all', async (t) => {
  const links = Array.from({ length: 40 }, (_, i) => link(i))
  const { feed, map } = feedOver(links)
  t.teardown(() => feed.stop())
  const before = links.map((l) => l.sent.length)
  const late = link(40)
  map.set(late.conn, late.link)
  feed.broadcast()
  await new Promise((resolve) => setTimeout(resolve, ROSTER_COALESCE_MS + 200))
  t.same(
    links.map((l) => l.sent.length),
    before,
    'a newer machine without people is not news',
  )
  late.link.users = ['bob']
  feed.broadcast()
  await new Promise((resolve) => setTimeout(resolve, ROSTER_COALESCE_MS + 200))
  const view = heard(links[0]!.sent)
  t.ok(
    view?.peers.some((p) => p.nodeId === id(40) && p.users.includes('bob')),
    'bob being on it is',
  )
  t.equal(view?.machines, 42, 'and the frame brings the count')
})

t.test('2,500 machines: every roster asks for a 3 s heartbeat, and each link is judged on it from then on', async (t) => {
  const links = Array.from({ length: 2499 }, (_, i) => link(i))
  const { feed } = feedOver(links)
  t.teardown(() => feed.stop())
  const frames = links[7]!.sent.map((raw) => parseFrame(raw))
  t.ok(frames.length > 0 && frames.every((f) => f.ok && f.frame.type === 'roster' && f.frame.heartbeatMs === 3000), 'each frame says 3 s')
  t.ok(
    links.every((l) => l.periods.at(-1) === 3000),
    'every live link set to 3 s as it was told',
  )
  t.equal(feed.snapshotFrames().heartbeatMs, 3000, 'a link going live is told the same')
})
