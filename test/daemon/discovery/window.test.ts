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

const A = '10.0.0.2'
const B = '10.0.0.3'

t.test('with mDNS, once every machine heard answered as a member, the window ends (not before QUIET_MS)', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  window.heard(A) // its query: it is starting with us
  window.heard(B) // its record
  c.now += 100
  window.answeredBy(new Set([A, B]))
  t.notOk(window.over(), 'not before QUIET_MS: another starting with us may not be heard yet')
  t.equal(window.remaining(), QUIET_MS - 100)
  c.now += QUIET_MS - 100
  t.ok(window.over(), 'the ranking is decided: nothing more to learn by waiting')
  t.notOk(window.quiet, 'others were heard: two promote votes, as after a full window')
})

t.test('answered after QUIET_MS, the window ends at that answer', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  window.heard(A)
  c.now += QUIET_MS + 300
  window.answeredBy(new Set())
  t.notOk(window.over(), 'heard, not answered yet')
  window.answeredBy(new Set([A]))
  t.ok(window.over())
})

t.test('a machine heard that has not answered as a member keeps the whole window', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  window.heard(A)
  window.heard(B)
  c.now += QUIET_MS
  window.answeredBy(new Set([A]))
  t.notOk(window.over(), 'B is not placed: a stranger, a machine gone, or one still starting')
  t.equal(window.remaining(), DISCOVERY_WINDOW_MS - QUIET_MS)
})

t.test('a machine heard anew after the others answered must answer too', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  window.heard(A)
  window.answeredBy(new Set([A]))
  c.now += QUIET_MS - 50
  window.heard(B)
  c.now += 50
  t.notOk(window.over(), 'the ranking is not decided while B is unknown')
  window.answeredBy(new Set([A, B]))
  t.ok(window.over())
})

t.test('a query heard without an address cannot be placed: the whole window', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('mdns', c.read)
  window.heard()
  c.now += QUIET_MS
  window.answeredBy(new Set([A]))
  t.notOk(window.over())
  c.now += DISCOVERY_WINDOW_MS - QUIET_MS
  t.ok(window.over())
})

t.test('with --peer addresses the whole window stands even when every machine answered', async (t) => {
  const c = clock()
  const window = new DiscoveryWindow('peers', c.read)
  window.heard(A)
  c.now += QUIET_MS
  window.answeredBy(new Set([A]))
  t.notOk(window.over())
})
