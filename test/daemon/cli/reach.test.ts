/**
 * `sochat status`'s firewall lines: which port to open, a peer port that moved because the one
 * asked for was taken, and mDNS off, broken, quiet, or heard.
 */
import t from 'tap'
import { QUIET_AFTER_MS, reachLines } from '../../../daemon/cli/reach.js'
import type { MdnsHealth, Reach } from '../../../shared/index.js'

const START = 1_000_000
const listening: MdnsHealth = { state: 'listening', interface: 'eth0', address: '10.0.0.5', lastHeard: null, error: null }
const reach = (more: Partial<Reach> = {}): Reach => ({
  peerPort: { asked: 47801, bound: 47801 },
  uiPort: { asked: 47800, bound: 47800 },
  mdns: listening,
  ...more,
})

t.test('the port to open is named, and the page is said to be local only', async (t) => {
  const lines = reachLines(reach({ mdns: { ...listening, lastHeard: START + 1000 } }), START, START + 4000)
  t.equal(lines[0], 'ports: other machines connect to TCP 47801 (open it in a firewall); the page is on 127.0.0.1:47800 only')
  t.equal(lines.length, 2, 'nothing else to warn about')
  t.equal(lines[1], 'mDNS: on eth0 (10.0.0.5), last heard another machine 3 s ago')
})

t.test('a peer port that was taken: the bound one is named, and why a firewall rule may miss it', async (t) => {
  const lines = reachLines(reach({ peerPort: { asked: 47801, bound: 47803 } }), START, START)
  t.match(lines[0], 'connect to TCP 47803')
  t.match(lines[1], /^warning: peer port 47801 was in use, so this daemon listens on 47803: a firewall rule for 47801 does not cover it/)
})

t.test('a page port that was taken is a note, not a warning (the page is local)', async (t) => {
  const lines = reachLines(reach({ uiPort: { asked: 47800, bound: 47802 } }), START, START)
  t.ok(
    lines.some((l) => l.startsWith('note: page port 47800 was in use')),
    'noted',
  )
  t.notOk(
    lines.some((l) => l.startsWith('warning')),
    'no warning',
  )
})

t.test('mDNS off, failed, quiet at first, and never heard after a while', async (t) => {
  const off = reachLines(reach({ mdns: { state: 'off', interface: null, address: null, lastHeard: null, error: null } }), START, START)
  t.equal(off.at(-1), 'mDNS: off (--no-mdns); other machines are found only through --peer')
  const failed = reachLines(reach({ mdns: { ...listening, state: 'failed', error: 'bind EADDRINUSE 0.0.0.0:5353' } }), START, START)
  t.match(failed.at(-1), /^warning: mDNS failed \(bind EADDRINUSE 0\.0\.0\.0:5353\); discovery is off until restart/)
  t.equal(
    reachLines(reach(), START, START + QUIET_AFTER_MS - 1).at(-1),
    'mDNS: on eth0 (10.0.0.5), nothing heard yet',
    'too early to worry',
  )
  const quiet = reachLines(reach(), START, START + 5 * 60_000).at(-1)
  t.match(quiet, /^warning: mDNS has heard no other machine on eth0 \(10\.0\.0\.5\) since it started 5 min ago/)
  t.match(
    quiet,
    /multicast UDP 5353 is blocked .* open UDP 5353, choose another interface with --interface, or name a machine with --peer HOST$/,
  )
})
