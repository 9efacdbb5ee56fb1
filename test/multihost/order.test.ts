/**
 * The signed order across a real partition (issue 14, item 3): three daemons, split {h1, h2} |
 * {h3}; each side elects its own relay, in the same term or not, and people post on both sides.
 * After the heal every acknowledged message is on every host, whoever wrote it and where, every
 * replica holds the same chain (its head's status says it), and no host took the two relays of
 * one term for a fork: no `order_forked`, no `order_invalid` in any daemon's log, no fork in
 * any Network panel. Needs root and iproute2 (skipped otherwise); see README.md here.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { MachinesResponse } from '../../shared/index.js'
import { canBuildLan, createLan, sleep, type Host } from './harness.js'
import { bearer, logIn, messages, post, sameHead, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const PASSWORD = 'correct horse battery'

t.test('a partition heals with the order signed: nothing lost, no fork, no refusal', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  const hosts = lan.hosts as [Host, Host, Host]
  const [h1, h2, h3] = hosts
  await Promise.all(hosts.map((h) => h.start()))
  await lan.waitFor('one relay', () => settledProbe(hosts), 20_000)
  await signUp(h1, 'alice', PASSWORD)
  await signUp(h3, 'bob', PASSWORD)
  await lan.waitFor('both accounts everywhere', () => sameHead(hosts, 2), 15_000)
  const alice = (await logIn(h1, 'alice', PASSWORD)).token
  const bob = (await logIn(h3, 'bob', PASSWORD)).token

  await lan.split([h1, h2], [h3])
  await lan.waitFor(
    'a relay on each side',
    async () => {
      await settledProbe([h1, h2])
      await settledProbe([h3])
      return true
    },
    20_000,
  )
  const terms = await Promise.all(hosts.map(async (h) => (await h.status()).term))
  t.comment(`split: terms ${terms.join(', ')}`)
  const acked: string[] = []
  for (let i = 0; i < 3; i++) {
    acked.push((await post(h1, alice, `alice on h1's side ${i}`)).id)
    acked.push((await post(h3, bob, `bob on h3's side ${i}`)).id)
  }
  await lan.heal()
  await lan.waitFor('one relay again', () => settledProbe(hosts), 30_000)
  const head = await lan.waitFor('the same head everywhere', () => sameHead(hosts, 8), 30_000)
  t.ok(head >= 8, `every host at ${head}`)
  // An extra message after the heal: the relay's statements are checked by every follower.
  acked.push((await post(h3, bob, 'after the heal')).id)
  await lan.waitFor('the last message everywhere', () => sameHead(hosts, head + 1), 15_000)
  await sleep(500)

  const tokens = new Map<Host, string>([
    [h1, alice],
    [h2, (await logIn(h2, 'alice', PASSWORD)).token],
    [h3, bob],
  ])
  for (const h of hosts) {
    const ids = (await messages(h, tokens.get(h)!)).map((m) => m.id)
    t.same(
      acked.filter((id) => !ids.includes(id)),
      [],
      `${h.name}: every acknowledged message is there`,
    )
    const machines = await h.api<MachinesResponse>('GET', '/api/v1/machines', undefined, bearer(tokens.get(h)!))
    t.same(machines.body?.forks ?? null, [], `${h.name}: no fork in the Network panel`)
    const log = readFileSync(path.join(h.dataDir, 'daemon.log'), 'utf8')
    t.notMatch(log, /order_forked|order_invalid/, `${h.name}: no order refused or fork seen in its log`)
  }
})
