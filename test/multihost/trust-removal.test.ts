/**
 * Removing a machine, end to end, with real daemons in network namespaces: a person on one
 * member removes another from the Network API; the removed machine is cut off at once (the
 * relay drops its link), the others now hold a new network key it does not, messages written
 * afterwards never reach it, it stays out after a restart (its old key opens nothing, asking
 * again gets it nowhere), and every member lists it as removed. Needs root and iproute2.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { MachinesResponse } from '../../shared/index.js'
import { canBuildLan, createLan, sleep, type Host } from './harness.js'
import { awaitMessage, bearer, logIn, messages, post, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const SETTLE_MS = 30_000
/** How long the removed machine is watched, restarted, for any way back in. */
const OUT_WINDOW_MS = 10_000
const keyOf = (h: Host) => readFileSync(path.join(h.dataDir, 'network-key'), 'utf8').trim()

async function machinesOn(host: Host, token: string): Promise<MachinesResponse> {
  const res = await host.api<MachinesResponse>('GET', '/api/v1/machines', undefined, bearer(token))
  if (res.status !== 200) throw new Error(`${host.name}: machines answered ${res.status}`)
  return res.body
}

t.test('a removed machine is cut off at once and stays out', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  await Promise.all(lan.hosts.map((h) => h.start()))
  const settled = await lan.waitFor('one relay, two clients', () => settledProbe(lan.hosts), SETTLE_MS)
  const relay = settled.relay
  // A person on the relay removes one of its clients.
  const removed = lan.hosts.find((h) => h !== relay)!
  const remover = relay
  const other = lan.hosts.find((h) => h !== relay && h !== removed)!
  const oldKey = keyOf(remover)
  t.equal(keyOf(removed), oldKey, 'before: all three hold the same key')

  await signUp(remover, 'alice', 'alice password 1')
  const alice = (await lan.waitFor('alice to log in on the remover', () => logIn(remover, 'alice', 'alice password 1'))).token
  const removedStatus = await removed.status()
  const answer = await remover.api('POST', `/api/v1/machines/${removedStatus.nodeId}/remove`, {}, bearer(alice))
  t.equal(answer.status, 200, `${remover.name}: remove answered 200`)
  t.equal(answer.body?.machine?.state, 'removed', 'the answer says removed')

  await lan.waitFor(
    `${relay.name} to drop ${removed.name}`,
    async () => !(await relay.status()).peers.some((p) => p.nodeId === removedStatus.nodeId),
    10_000,
  )
  t.pass(`${relay.name} no longer lists ${removed.name} as a peer`)
  const newKey = keyOf(remover)
  t.not(newKey, oldKey, 'the remover holds a new key')
  await lan.waitFor(`${other.name} to hold the new key`, async () => keyOf(other) === newKey, 10_000)
  t.pass(`${other.name}, the other member, holds it too`)
  t.equal(keyOf(removed), oldKey, `${removed.name} still holds only the old one`)

  // alice's account reached every machine before the removal; what is written after it must not.
  const otherToken = (await lan.waitFor('alice to log in on the other member', () => logIn(other, 'alice', 'alice password 1'))).token
  const sent = await post(other, otherToken, 'written after the removal')
  await awaitMessage(remover, alice, sent.id, Date.now())
  t.pass('the members still chat')

  await removed.stop()
  await removed.start()
  const until = Date.now() + OUT_WINDOW_MS
  let linked = false
  let received = false
  const removedToken = (await logIn(removed, 'alice', 'alice password 1').catch(() => undefined))?.token
  t.ok(removedToken, `alice (made before the removal) logs in on ${removed.name}, so its messages can be read there`)
  while (Date.now() < until) {
    const s = await removed.status()
    if (s.role === 'client' || (await relay.status()).peers.some((p) => p.nodeId === removedStatus.nodeId)) linked = true
    if (removedToken && (await messages(removed, removedToken)).some((m) => m.id === sent.id)) received = true
    await sleep(1_000)
  }
  t.notOk(linked, `${removed.name}, restarted, never links again in ${OUT_WINDOW_MS / 1000} s`)
  t.notOk(received, 'and never gets what was written after its removal')
  t.equal(keyOf(removed), oldKey, 'nobody handed it the new key')

  for (const member of [remover, other]) {
    const memberToken = member === remover ? alice : otherToken
    const row = (await machinesOn(member, memberToken)).machines.find((m) => m.nodeId === removedStatus.nodeId)
    t.equal(row?.state, 'removed', `${member.name} lists ${removed.name} as removed`)
    t.equal(row?.linked, false, `${member.name}: not linked`)
  }
})
