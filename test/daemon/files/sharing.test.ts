/**
 * Which machine a file is asked of: the relay first (it has every file), then the machine the
 * message came from, then anyone, never this machine itself; and where a message's files go.
 */
import t from 'tap'
import type { PeerStatus } from '../../../shared/index.js'
import { rankSources, relaySource } from '../../../daemon/files/index.js'

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
