/**
 * First run on a LAN, with real mDNS in network namespaces. A lone machine hears no other
 * SO-CHAT (no answer to its query, no query of another starting one) and takes the relay's
 * role without waiting out the whole discovery window (daemon/discovery/window.ts), so its
 * person's first sign-up and message go through at once. Two machines started together
 * settle on one relay, as before.
 * Timings are printed as `# ...` comments, never asserted (bench/ measures speed).
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { canBuildLan, createLan, jsonLines, type Host } from './harness.js'
import { bearer, logIn, settledProbe } from './lan-helpers.js'

const can = canBuildLan()
const skip = can.ok ? false : can.reason
const PASSWORD = 'first run on the lan'

interface RelayLine {
  msg: string
  alone?: boolean
  sinceStartMs?: number
}

/** The daemon's 'now the relay' log lines, oldest first. */
function promotions(host: Host): RelayLine[] {
  return jsonLines<RelayLine>(readFileSync(host.logPath, 'utf8')).filter((l) => l.msg === 'this daemon is now the relay')
}

t.test('a lone machine with mDNS on: the first sign-up and message go through as soon as the page answers', { skip }, async (t) => {
  // Keyless: a true first run, where the machine also founds its network (admission/newcomer.ts).
  const lan = await createLan(t, [{ keyless: true }])
  const [host] = lan.hosts
  if (!host) throw new Error('createLan made no host')
  const t0 = Date.now()
  await host.start()
  const answeringMs = Date.now() - t0
  const signUp = await host.api('POST', '/api/v1/accounts', { username: 'first', password: PASSWORD })
  const signedUpMs = Date.now() - t0
  t.equal(signUp.status, 201, `the account is made (${JSON.stringify(signUp.body)})`)
  const session = await logIn(host, 'first', PASSWORD)
  const posted = await host.api('POST', '/api/v1/rooms/general/messages', { text: 'anyone here?' }, bearer(session.token))
  t.equal(posted.status, 201, 'and the first message is posted')
  const [relayLine, ...more] = promotions(host)
  t.equal(relayLine?.alone, true, 'it took the relay because it heard no other SO-CHAT, not because the full window ran out')
  t.equal(more.length, 0, 'and took it once')
  t.comment(
    `lone machine: page answering after ${answeringMs} ms, relay ${relayLine?.sinceStartMs} ms after start, sign-up answered after ${signedUpMs} ms`,
  )
})

t.test('two machines started together settle on one relay, whichever way the window went', { skip }, async (t) => {
  // Started in the same instant, each hears the other's query and looks the whole window. On a
  // busy machine one may answer its page before the other has even started: it takes the relay
  // as alone, and the other finds it and joins. Both are right; what must hold is one relay.
  const lan = await createLan(t, 2)
  const t0 = Date.now()
  await Promise.all(lan.hosts.map((h) => h.start()))
  const { relay, relayStatus, statuses } = await lan.waitFor('one relay and a client of it', () => settledProbe(lan.hosts), 15_000)
  t.equal(statuses.filter((s) => s.role === 'relay').length, 1, 'exactly one relay')
  t.ok(
    statuses.every((s) => s.nodeId === relayStatus.nodeId || s.relayId === relayStatus.nodeId),
    'and the other machine follows it',
  )
  const lines = lan.hosts.flatMap(promotions)
  t.ok(lines.length > 0, 'the relay logged its promotion')
  const how = lines.map((l) => (l.alone ? `alone after ${l.sinceStartMs} ms` : `after the whole window (${l.sinceStartMs} ms)`))
  t.comment(`two started together: settled on ${relay.name} after ${Date.now() - t0} ms; promoted ${how.join(', ')}`)
})
