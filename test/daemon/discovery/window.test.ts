/**
 * How long a starting daemon looks for others before founding a network and taking the
 * relay's role: no longer than its ways of finding them need (daemon/discovery/window.ts).
 */
import t from 'tap'
import { DISCOVERY_WINDOW_MS, DiscoveryWindow, QUIET_MS } from '../../../daemon/discovery/index.js'

function clock(start = 1_000_000) {
  const c = { now: start, read: () => c.now }
  return c
}

t.test('with nothing to look with (--no-mdns, no --peer) there is no window', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('nothing', c.read)
  t.ok(window.over(), 'over the moment the daemon starts')
  t.equal(window.remaining(), 0)
  t.ok(window.quiet, 'and nothing was heard')
})

t.test('with mDNS, a machine that hears no other SO-CHAT looks only QUIET_MS', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  t.notOk(window.over(), 'looking at first')
  t.equal(window.remaining(), QUIET_MS)
  c.now += QUIET_MS - 1
  t.notOk(window.over(), 'still looking just before QUIET_MS')
  c.now += 1
  t.ok(window.over(), 'alone after QUIET_MS')
  t.ok(QUIET_MS < DISCOVERY_WINDOW_MS, 'which is shorter than the full window')
})

t.test('with mDNS, hearing another SO-CHAT (even late in the quiet time) makes it look the whole window', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  c.now += QUIET_MS - 10
  window.heard()
  t.notOk(window.quiet, 'no longer quiet')
  c.now += 10
  t.notOk(window.over(), 'not over at QUIET_MS')
  t.equal(window.remaining(), DISCOVERY_WINDOW_MS - QUIET_MS)
  c.now += DISCOVERY_WINDOW_MS - QUIET_MS
  t.ok(window.over(), 'over at DISCOVERY_WINDOW_MS, as before')
})

t.test('hearing another SO-CHAT after a quiet window ended does not reopen it', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  c.now += QUIET_MS
  window.heard()
  t.ok(window.over(), 'what was decided at its end stands (the newcomer joins us or the relays merge)')
  t.ok(window.quiet, 'it still counts as having looked alone')
})

t.test('with --peer addresses the whole window is looked, heard or not', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('peers', c.read)
  c.now += QUIET_MS
  t.notOk(window.over(), 'named machines may just be slower to start')
  c.now += DISCOVERY_WINDOW_MS - QUIET_MS
  t.ok(window.over())
})
