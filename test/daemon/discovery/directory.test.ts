/**
 * The directory dials IPs only. A roster (the relay's word) adds a host only when it is
 * another machine's IP: not a name, not loopback, "this host", or multicast. The person's own
 * `--peer` is taken as given, 127.0.0.1 included, and a name there is resolved to an IP before
 * each probe, since the peer port refuses a Host that is a name.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { PeerDirectory } from '../../../daemon/discovery/index.js'
import { PeerServer } from '../../../daemon/link/index.js'
import type { Advert, PeerSummary } from '../../../shared/index.js'

const silent = pino({ level: 'silent' })
const directory = (resolve?: (host: string) => Promise<string>) => new PeerDirectory(() => 'self', silent, 2500, resolve)
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
  const advert: Advert = {
    proto: 1,
    network: 'default',
    nodeId: 'c'.repeat(16),
    name: 'c',
    role: 'electing',
    term: 0,
    head: 0,
    startedAt: 1,
    peerPort: 47801,
    relayId: null,
  }
  const server = await PeerServer.listen({
    host: '127.0.0.1',
    port: 0,
    portAttempts: 1,
    log: silent,
    advert: () => advert,
    onLink: (conn) => conn.close(1000, 'test'),
    blobs: async (_req, res) => void res.writeHead(404).end(),
  })
  t.teardown(() => server.close())
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
  const d = new PeerDirectory(
    () => 'self',
    pino({ level: 'warn' }, sink),
    2500,
    async (host) => {
      asked++
      throw new Error(`--peer ${host} does not resolve to an address (ENOTFOUND); check the name or give its IP address.`)
    },
  )
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
