/**
 * A relay stopped cleanly (SIGTERM, as `sochat stop` does) hands over before it leaves: it
 * names a successor, which takes over at once with the next term — no election window — and
 * the others follow it. Nothing acknowledged before the stop is lost.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { canBuildLan, createLan } from './harness.js'
import { logIn, messages, post, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()

t.test('a relay stopped with SIGTERM hands over to a successor', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  await Promise.all(lan.hosts.map((h) => h.start()))
  const before = await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  const others = lan.hosts.filter((h) => h !== before.relay)
  const [a, b] = others as [(typeof others)[0], (typeof others)[0]]
  await signUp(a, 'dana', 'handover password')
  const token = (await logIn(a, 'dana', 'handover password')).token
  const sent = await post(a, token, 'before the handover')

  const t0 = Date.now()
  const stopped = before.relay.stop()
  const after = await lan.waitFor('the two others to settle on a new relay', () => settledProbe(others), 15_000)
  t.comment(`handover: ${Date.now() - t0} ms from SIGTERM to both remaining daemons following ${after.relay.name}`)
  await stopped
  t.comment(`the old relay's process exited ${before.relay.lastExit?.ms} ms after SIGTERM`)
  t.not(after.relayStatus.nodeId, before.relayStatus.nodeId, 'the relay moved')
  t.equal(after.relayStatus.term, before.relayStatus.term + 1, 'the successor took exactly the next term (no election in between)')
  t.match(readFileSync(before.relay.logPath, 'utf8'), /handed the relay over/, 'the old relay logged the handover')
  t.match(readFileSync(after.relay.logPath, 'utf8'), /the relay handed over to us/, 'the successor took over because it was named')
  t.equal(before.relay.lastExit?.code, 0, 'the old relay exited cleanly')

  const token2 = (await logIn(b, 'dana', 'handover password')).token
  const next = await post(b, token2, 'after the handover')
  const onA = await lan.waitFor('both messages on the other host', async () => {
    const list = await messages(a, token)
    return list.some((m) => m.id === next.id) && list
  })
  t.same(
    onA.filter((m) => m.id === sent.id || m.id === next.id).map((m) => m.text),
    ['before the handover', 'after the handover'],
    'the message from before the handover and the one after are both there, once, in order',
  )

  await before.relay.start()
  const rejoined = await lan.waitFor('the old relay to rejoin as a client', () => settledProbe(lan.hosts), 20_000)
  t.equal(rejoined.relay, after.relay, 'the old relay came back as a client of its successor')
})
