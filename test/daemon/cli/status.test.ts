/** `sochat status`'s peers line: names, then a count, however large the network. */
import t from 'tap'
import type { PeerStatus } from '../../../shared/index.js'
import { peersText } from '../../../daemon/cli/status.js'

const peer = (i: number): PeerStatus => ({
  nodeId: i.toString(16).padStart(16, '0'),
  name: `pc-${i}`,
  host: '10.0.0.1',
  peerPort: 47801,
  head: 0,
  users: [],
  away: [],
})
const peers = (n: number) => Array.from({ length: n }, (_, i) => peer(i + 1))

t.test('a small network: every name', async (t) => {
  t.equal(peersText({ peers: [], machines: 1 }), 'none', 'alone')
  t.equal(peersText({ peers: peers(2), machines: 3 }), 'pc-1, pc-2')
})

t.test('a client of a large network: the machines named, then the ones only counted', async (t) => {
  t.equal(peersText({ peers: peers(2), machines: 10_000 }), 'pc-1, pc-2 and 9997 more')
  t.equal(peersText({ peers: [], machines: 40 }), '39 more', 'before the first roster names anyone')
})

t.test('a relay of a large network: twenty names, not ten thousand', async (t) => {
  const line = peersText({ peers: peers(9_999), machines: 10_000 })
  t.equal(line.split(', ').length, 20)
  t.match(line, / and 9979 more$/)
})
