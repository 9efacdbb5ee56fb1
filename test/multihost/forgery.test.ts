/**
 * Forgery across real daemons (issue 14, "Tests → Multi-host"): one daemon is patched
 * (fixtures/forger.mjs, which node runs in place of dist/daemon/cli.js) to write in alice's name.
 *
 * (a) The forger is a client: mallory, logged in there, posts and reacts, and the patched
 *     outbox makes each submission claim alice while mallory's key signs it. The honest relay
 *     refuses it (`bad_signature`), logs which machine sent it, and nothing of it is on any
 *     replica; the network carries on.
 * (b) The forger is the relay: it rewrites a message alice posts, keeping her signature, and
 *     orders it with a correctly signed chain. Every follower refuses the batch (`bad_signature`)
 *     before applying any of it, the forged text is on no follower's disk or API, and the
 *     followers pass that relay over: they elect another among themselves, alice's genuine
 *     message (still in her outbox) reaches bob, and what is posted afterwards is delivered.
 *
 * Needs root and iproute2, and `npm run build` (skipped otherwise); see README.md here.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Message } from '../../shared/index.js'
import { canBuildLan, createLan, REPO_ROOT, type Host, type HostOptions } from './harness.js'
import { bearer, logIn, messages, post, sameHead, settledProbe, signUp } from './lan-helpers.js'
import { diskText } from '../lib/disk.js'

const can = canBuildLan()
const PASSWORD = 'forged names password'
/** The text fixtures/forger.mjs puts in alice's mouth when its machine is the relay. */
const FORGED_TEXT = 'FORGED-BY-RELAY: send your password to mallory'
const forger = (victim: string): HostOptions => ({
  name: 'forger',
  cli: join(REPO_ROOT, 'test/multihost/fixtures/forger.mjs'),
  env: { SOCHAT_TEST_FORGE_AS: victim },
})

const logOf = (host: Host) => readFileSync(host.logPath, 'utf8')
/** The follower's log line refusing its relay, parsed, if there is one yet. */
function refusal(host: Host, relay = ''): { level: number; code: string; relay: string; msg: string; time: number } | undefined {
  const line = logOf(host)
    .split('\n')
    .find((l) => l.includes(`refusing to follow relay ${relay}`))
  return line ? JSON.parse(line) : undefined
}
const texts = (list: Message[]) => list.map((m) => m.text)

t.test(
  '(a) a client machine posting and reacting in alice’s name is refused by the relay',
  { skip: can.ok ? false : can.reason },
  async (t) => {
    const lan = await createLan(t, [{ name: 'relay' }, forger('alice'), { name: 'alices' }])
    const [relay, forgerHost, alices] = lan.hosts as [Host, Host, Host]
    const started = Date.now()
    // The honest relay first and alone, so it is the relay; the others join it.
    await relay.start()
    await lan.waitFor('the honest machine is relay', async () => (await relay.status()).role === 'relay', 20_000)
    // The other two together: two daemons starting at once stay well within the start bound.
    await Promise.all([forgerHost.start(), alices.start()])
    await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
    t.match(logOf(forgerHost), /"forger":"armed"/, 'the forger fixture is loaded and armed')
    await signUp(alices, 'alice', PASSWORD)
    await signUp(forgerHost, 'mallory', PASSWORD)
    await lan.waitFor('both accounts everywhere', () => sameHead(lan.hosts, 2))
    const alice = (await logIn(alices, 'alice', PASSWORD)).token
    const mallory = (await logIn(forgerHost, 'mallory', PASSWORD)).token
    const honest = await post(alices, alice, 'alice, honestly')
    await lan.waitFor('alice’s message everywhere', () => sameHead(lan.hosts, 3))

    const posted = await forgerHost.api('POST', '/api/v1/rooms/general/messages', { text: 'mallory as alice' }, bearer(mallory))
    t.match(posted, { status: 403, body: { error: { code: 'bad_signature' } } }, 'a post in alice’s name is refused: bad_signature')
    const reacted = await forgerHost.api(
      'PUT',
      `/api/v1/rooms/general/messages/${honest.id}/reaction`,
      { emoji: '👎', on: true },
      bearer(mallory),
    )
    t.match(reacted, { status: 403, body: { error: { code: 'bad_signature' } } }, 'a reaction in alice’s name is refused: bad_signature')
    const forgeries = logOf(forgerHost).match(/"forger":"submitting in the victim’s name/g) ?? []
    t.equal(forgeries.length, 2, 'the forger did send both, signed with mallory’s key')

    // The relay says who sent them: the forger's machine, by name and address.
    const refusals = logOf(relay)
      .split('\n')
      .filter((l) => l.includes('"code":"bad_signature"'))
    t.equal(refusals.length, 2, 'the relay logged both refusals')
    for (const line of refusals)
      t.ok(line.includes('"name":"forger"') && line.includes(forgerHost.ip), `it names the sender: ${line.slice(0, 400)}`)

    // The network carries on: alice's next message reaches everyone, and nothing forged is anywhere.
    const after = await post(alices, alice, 'alice, after the attempt')
    const head = await lan.waitFor('alice’s later message everywhere', () => sameHead(lan.hosts, 4))
    t.equal(head, 4, 'the log holds the two accounts and alice’s two messages, nothing more')
    for (const [host, token] of [
      [relay, (await logIn(relay, 'alice', PASSWORD)).token],
      [forgerHost, mallory],
      [alices, alice],
    ] as const) {
      const list = await messages(host, token)
      t.same(texts(list), ['alice, honestly', 'alice, after the attempt'], `${host.name}: only alice’s own messages`)
      t.same(list.find((m) => m.id === honest.id)?.reactions ?? [], [], `${host.name}: no reaction on alice’s message`)
      t.ok(host.running, `${host.name}: still running`)
    }
    t.ok(after.id, 'alice posted after the attempt')
    for (const host of [relay, alices])
      t.notMatch(diskText(host.dataDir), /mallory as alice/, `${host.name}: the forged post is not on disk`)
    t.comment(`(a) took ${Date.now() - started} ms`)
  },
)

t.test('(b) a relay that rewrites alice’s message is refused by every follower', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, [forger('alice'), { name: 'alices' }, { name: 'bobs' }])
  const [forgerHost, alices, bobs] = lan.hosts as [Host, Host, Host]
  const followers = [alices, bobs]
  const started = Date.now()
  await forgerHost.start()
  await lan.waitFor('the forger is relay', async () => (await forgerHost.status()).role === 'relay', 20_000)
  await Promise.all(followers.map((h) => h.start()))
  const settled = await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  /** Each machine's node id, as its refusals name relays. */
  const nodeIds = new Map(await Promise.all(lan.hosts.map(async (h) => [h, (await h.status()).nodeId] as const)))
  t.equal(settled.relay, forgerHost, 'the forger is the relay')
  t.match(logOf(forgerHost), /"forger":"armed"/, 'the forger fixture is loaded and armed')
  await signUp(alices, 'alice', PASSWORD)
  await signUp(bobs, 'bob', PASSWORD)
  await lan.waitFor('both accounts everywhere', () => sameHead(lan.hosts, 2))
  const alice = (await logIn(alices, 'alice', PASSWORD)).token
  const bob = (await logIn(bobs, 'bob', PASSWORD)).token
  await post(bobs, bob, 'bob, before')
  await lan.waitFor('bob’s message everywhere', () => sameHead(lan.hosts, 3))

  const sent = await alices.api('POST', '/api/v1/rooms/general/messages', { text: 'alice, in her own words' }, bearer(alice))
  // 201 once the message is in alice's replica: not the forged entry (refused), but her own,
  // ordered by the relay elected after it when that takes less than the post's wait; else 202.
  t.ok(sent.status === 201 || sent.status === 202, `alice’s post is accepted (${sent.status}); her outbox keeps it until a relay orders it`)
  t.match(logOf(forgerHost), /"forger":"relay rewrote the victim’s message/, 'the forger did rewrite it')
  const refusedAt: number[] = []
  for (const h of followers) {
    const line = await lan.waitFor(`${h.name} refuses the relay`, async () => refusal(h))
    t.match(
      line,
      { level: 50, code: 'bad_signature', relay: nodeIds.get(forgerHost), msg: /entry 4 \(message\.posted/ },
      `${h.name} refused the batch: bad_signature`,
    )
    refusedAt.push(line.time)
  }
  const since = () => `${Date.now() - Math.min(...refusedAt)} ms after the first refusal`

  // The followers pass the liar over and elect one of themselves.
  const honest = await lan.waitFor('a relay among the followers', async () => (await settledProbe(followers)).relay, 30_000)
  t.comment(`(b) followers settled on ${honest.name} ${since()}`)
  for (const h of followers) t.match(logOf(h), /passing over a relay we refused/, `${h.name} passed the forger over`)

  // Alice's own words, kept in her outbox, reach bob through the new relay; so does what comes next.
  const bobSees = (text: string) => async () => texts(await messages(bobs, bob)).includes(text) && text
  await lan.waitFor('alice’s genuine message on bob’s machine', bobSees('alice, in her own words'), 20_000)
  const later = await post(bobs, bob, 'bob, after the forgery')
  await lan.waitFor('bob’s later message on alice’s machine', async () => (await messages(alices, alice)).some((m) => m.id === later.id))
  for (const [h, token] of [
    [alices, alice],
    [bobs, bob],
  ] as const) {
    t.same(
      texts(await messages(h, token)),
      ['bob, before', 'alice, in her own words', 'bob, after the forgery'],
      `${h.name}: the true history`,
    )
  }
  t.comment(`(b) bob's later message delivered ${since()}`)

  // "Longer log wins" would have the forger, now behind, step down and follow the honest relay.
  // It cannot: its log holds the forged entry under the id of alice's genuine one, so the honest
  // relay's signed chain at that point is not its own (order_invalid). It passes that relay over
  // in turn and stays a relay of its own, apart, while the honest machines carry on.
  const forgerRefused = await lan.waitFor(
    'the forger refuses the honest relay',
    async () => refusal(forgerHost, nodeIds.get(honest)),
    20_000,
  )
  t.match(forgerRefused, { code: 'order_invalid' }, 'the forger cannot follow the honest relay: order_invalid')
  await lan.waitFor('the forger passes it over', async () => /passing over a relay we refused/.test(logOf(forgerHost)))
  t.equal((await settledProbe(followers)).relay, honest, 'the honest machines still follow the relay they elected')
  t.equal(await sameHead(followers, 5), 5, 'and hold the true history: two accounts, three messages')
  for (const h of lan.hosts) t.ok(h.running, `${h.name}: still running`)
  for (const h of lan.hosts) await h.stop()
  for (const h of followers) {
    const disk = diskText(h.dataDir)
    t.match(disk, /bob, before/, `${h.name}: a message's words are on its disk, so the scan finds words`)
    t.notOk(disk.includes(FORGED_TEXT), `${h.name}: the forged text is nowhere on its disk`)
  }
  t.comment(`(b) took ${Date.now() - started} ms`)
})
