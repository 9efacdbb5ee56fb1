/**
 * The directory dials IPs only. A roster (the relay's word) adds a host only when it is
 * another machine's IP: not a name, not loopback, "this host", or multicast. The person's own
 * `--peer` is taken as given, 127.0.0.1 included, and a name there is resolved to an IP before
 * each probe, since the peer port refuses a Host that is a name.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { PeerDirectory, probeOver, type ProbeResult } from '../../../daemon/discovery/index.js'
import type { PeerSummary } from '../../../shared/index.js'
import { advertOf, machine, networkKey, peerKeyOfMachine, peerServer, type Machine } from '../../lib/peer-tls.js'

const silent = pino({ level: 'silent' })
const KEY = networkKey()
/** This machine: a member of the network of KEY. */
const self = machine(KEY)
const directory = (resolve?: (host: string) => Promise<string>, as: Machine = self) =>
  new PeerDirectory({ selfId: () => as.identity.nodeId, probe: probeOver(as.tls), log: silent, ...(resolve ? { resolve } : {}) })
const rosterPeer = (host: string): PeerSummary =>
  ({ nodeId: 'b'.repeat(16), name: 'b', host, peerPort: 47801, startedAt: 1, head: 0, users: [], away: [] }) as PeerSummary

t.test('a roster host is learnt only when it is the IP of another machine', async (t) => {
  for (const host of ['10.0.0.5', '192.168.1.20', 'fe80::1', '2001:db8::5']) {
    const d = directory()
    d.learnFromRoster([rosterPeer(host)])
    t.equal(d.size, 1, `${host} is learnt`)
  }
  const refused = ['evil.example', 'localhost', '127.0.0.1', '127.1.2.3', '0.0.0.0', '::', '::1', '::ffff:127.0.0.1']
  refused.push('224.0.0.251', '239.255.255.250', '255.255.255.255', 'ff02::fb', '10.0.0.5:47801', '')
  for (const host of refused) {
    const d = directory()
    d.learnFromRoster([rosterPeer(host)])
    t.equal(d.size, 0, `${JSON.stringify(host)} is ignored`)
  }
})

t.test("the person's own --peer is kept as given, loopback included", async (t) => {
  const d = directory()
  d.add('127.0.0.1', 47801, 'static')
  t.equal(d.size, 1)
})

t.test('a --peer name is resolved to an IP before the probe, so the peer port answers it', async (t) => {
  const peer = machine(KEY)
  const advert = advertOf(peer.identity)
  const server = await peerServer(t, peer, { advert: () => advert })
  const d = directory() // the system resolver: localhost comes from the hosts file
  d.add('localhost', server.port, 'static')
  await d.probeAll()
  t.same(
    d.alive().map((a) => a.nodeId),
    [advert.nodeId],
    'alive: the probe was sent to an IP (Host: localhost would be refused)',
  )
  t.same(d.addressOf(advert.nodeId), { host: '127.0.0.1', port: server.port })
})

t.test('a --peer name that does not resolve is logged once, by name, and not probed', async (t) => {
  const lines: { msg: string; peer?: string }[] = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  let asked = 0
  const d = new PeerDirectory({
    selfId: () => self.identity.nodeId,
    probe: probeOver(self.tls),
    log: pino({ level: 'warn' }, sink),
    resolve: async (host) => {
      asked++
      throw new Error(`--peer ${host} does not resolve to an address (ENOTFOUND); check the name or give its IP address.`)
    },
  })
  d.add('fileserver.lan', 47801, 'static')
  await d.probeAll()
  await d.probeAll()
  t.equal(asked, 2, 'asked again at each probe (DNS may come up later)')
  t.equal(lines.length, 1, 'logged once')
  t.equal(lines[0]?.peer, 'fileserver.lan')
  t.match(lines[0]?.msg, /does not resolve.*give its IP address/)
  t.same(d.alive(), [])
  t.equal(d.size, 1, 'kept, to try again')
})

t.test("a stranger's advert is never ranked, however high its head and term: only members are alive", async (t) => {
  const stranger = machine(networkKey()) // a network of its own
  const big = advertOf(stranger.identity, { role: 'relay', term: 1_000_000, head: 9_000_000, relayId: stranger.identity.nodeId })
  const strangerServer = await peerServer(t, stranger, { advert: () => big })
  const member = machine(KEY)
  const memberServer = await peerServer(t, member)
  const d = directory()
  d.add('127.0.0.1', strangerServer.port, 'static')
  d.add('127.0.0.1', memberServer.port, 'mdns', big) // an mDNS record naming the stranger's advert at a member's address
  await d.probeAll()
  t.same(
    d.alive().map((a) => a.nodeId),
    [member.identity.nodeId],
    'only the member, with its own advert (the one its key answered with)',
  )
  t.equal(d.addressOf(stranger.identity.nodeId), null, 'no address is kept for the stranger')
  const seen = d.seen().find((p) => p.port === strangerServer.port)
  t.match(seen, { member: false, problem: /not a member/, peer: { nodeId: stranger.identity.nodeId } }, 'listed as seen, not a member')
})

t.test('the probe says member: false for a machine with another key, and for one with none', async (t) => {
  for (const [what, other] of [
    ['another key', machine(networkKey())],
    ['no key', machine(null)],
  ] as const) {
    const server = await peerServer(t, other)
    const probed = await probeOver(self.tls)('127.0.0.1', server.port, 2000)
    t.match(probed, { ok: true, member: false, peer: { nodeId: other.identity.nodeId } }, what)
  }
})

t.test('an advert that names another machine than the key that answered is not taken', async (t) => {
  const liar = machine(KEY)
  const server = await peerServer(t, liar, { advert: () => advertOf(machine().identity) })
  const probed = await probeOver(self.tls)('127.0.0.1', server.port, 2000)
  t.match(probed, { ok: false, problem: /names node .* but its key is/ })
  const d = directory()
  d.add('127.0.0.1', server.port, 'static')
  await d.probeAll()
  t.same(d.alive(), [])
})

t.test('a machine that never answers does not hold up a round, nor age the answers of those that do', async (t) => {
  const there = machine(KEY)
  const answer: ProbeResult = { ok: true, advert: advertOf(there.identity), peer: peerKeyOfMachine(there), member: true }
  let clock = 1_000_000
  // Each probe takes "3 s" on a fake clock when it answers, and the gone machine never answers:
  // a round that waited for it would end with the other answer older than aliveMs.
  const d = new PeerDirectory({
    selfId: () => self.identity.nodeId,
    probe: (host) => (host === '10.0.0.9' ? new Promise<ProbeResult>(() => undefined) : Promise.resolve(answer)),
    log: silent,
    aliveMs: 2500,
  })
  d.add('10.0.0.2', 47801, 'mdns')
  d.add('10.0.0.9', 47801, 'mdns')
  const realNow = Date.now
  Date.now = () => clock
  t.teardown(() => {
    Date.now = realNow
  })
  await d.probeAll(50) // without the deadline this never resolves, and the test times out
  t.same(
    d.alive().map((a) => a.nodeId),
    [there.identity.nodeId],
    'the machine that answered is alive when the round ends',
  )
  t.match(
    d.seen().find((p) => p.host === '10.0.0.9'),
    { member: false, problem: /no answer within 150 ms/ },
    'the one that did not is said not to answer',
  )
  clock += 3000
  t.same(d.alive(), [], 'answers still age out after aliveMs')
})

t.test('the hosts answering are those where a member answered recently: a stranger or a silent machine is not placed', async (t) => {
  const there = machine(KEY)
  const stranger = machine(networkKey())
  const answers: Record<string, ProbeResult> = {
    '10.0.0.2': { ok: true, advert: advertOf(there.identity), peer: peerKeyOfMachine(there), member: true },
    '10.0.0.3': { ok: true, advert: advertOf(stranger.identity), peer: peerKeyOfMachine(stranger), member: false },
    '10.0.0.9': { ok: false, problem: 'connection refused' },
  }
  const d = new PeerDirectory({
    selfId: () => self.identity.nodeId,
    probe: async (host) => answers[host]!,
    log: silent,
    aliveMs: 2500,
  })
  for (const host of Object.keys(answers)) d.add(host, 47801, 'mdns')
  t.same([...d.answeringHosts()], [], 'nothing is placed before a probe')
  await d.probeAll(50)
  t.same([...d.answeringHosts()], ['10.0.0.2'], 'only the member that answered')
  t.same([...d.answeringHosts(Date.now() + 2501)], [], 'and only while its answer is fresh')
})
