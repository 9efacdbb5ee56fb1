/**
 * A thread and a pin across three simulated machines and a relay kill: alice starts a thread
 * and pins its root in a private (end-to-end encrypted) room on one machine; bob replies from
 * another; the relay is killed; after the failover every surviving replica still has the same
 * thread (summary, replies, text opened for members) and the same pin, and both go on growing
 * through the new relay. The reply links are readable metadata, the text stays sealed: carol
 * (not in the room) is refused on every machine.
 */
import t from 'tap'
import { canBuildLan, createLan, type Host } from './harness.js'
import { bearer, logIn, sameHead, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const PASSWORD = 'threads password'

t.test('a thread and a pin outlive the relay', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  await Promise.all(lan.hosts.map((h) => h.start()))
  const settled = await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  const [a, b] = lan.hosts.filter((h) => h !== settled.relay) as [Host, Host]
  for (const name of ['alice', 'bob', 'carol']) await signUp(a, name, PASSWORD)
  await lan.waitFor('the accounts everywhere', () => sameHead(lan.hosts, 3))
  const as =
    async (host: Host, name: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: tests read any field of any answer and assert on it
    async <T = any>(method: string, path: string, body?: unknown) =>
      host.api<T>(method, path, body, bearer((await logIn(host, name, PASSWORD)).token))
  const A = await as(a, 'alice')
  const B = await as(b, 'bob')

  const room = (await A('POST', '/api/v1/rooms', { name: 'plans', kind: 'private', invite: ['bob'] })).body.room.id as string
  const root = (await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'Offsite in May?' })).body.message
  t.ok(root.seq, 'alice posts the root')
  t.equal((await A('GET', `/api/v1/rooms/${room}`)).body.room.encrypted, true, 'sealed: the room is end-to-end encrypted')
  t.equal((await A('PUT', `/api/v1/rooms/${room}/messages/${root.id}/pin`, { on: true })).status, 200, 'and pins it')
  await lan.waitFor('the root on bob’s machine', async () => (await B('GET', `/api/v1/rooms/${room}/messages`)).body.messages?.length === 1)
  const reply = await B('POST', `/api/v1/rooms/${room}/messages`, { text: 'Yes, the 12th', thread: root.id })
  t.equal(reply.status, 201, 'bob replies in the thread from his machine')
  const head = (await settled.relay.status()).head
  await lan.waitFor('every replica at the same head', () => sameHead(lan.hosts, head))

  const killedAt = Date.now()
  await settled.relay.kill()
  const after = await lan.waitFor('a new relay', () => settledProbe([a, b]), 20_000)
  t.comment(`new relay ${after.relay.name} ${Date.now() - killedAt} ms after the kill`)

  const more = await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'Booked.', thread: root.id, alsoInRoom: true })
  t.equal(more.status, 201, 'alice replies through the new relay')
  await lan.waitFor('both survivors at the same head', () => sameHead([a, b], more.body.message.seq))
  for (const [host, who] of [
    [a, 'alice'],
    [b, 'bob'],
  ] as const) {
    const M = await as(host, who)
    const thread = (await M('GET', `/api/v1/rooms/${room}/messages/${root.id}/thread`)).body
    t.match(
      thread,
      {
        root: { text: 'Offsite in May?', replies: { count: 2, last: 'alice' } },
        replies: [{ text: 'Yes, the 12th' }, { text: 'Booked.' }],
      },
      `${host.name}: the same thread, opened for ${who}`,
    )
    const pins = (await M('GET', `/api/v1/rooms/${room}/pins`)).body.pins
    t.match(pins, [{ id: root.id, pinned: { by: 'alice' } }], `${host.name}: the same pin`)
    const timeline = (await M('GET', `/api/v1/rooms/${room}/messages`)).body.messages.map((m: { text: string }) => m.text)
    t.same(timeline, ['Offsite in May?', 'Booked.'], `${host.name}: only what was sent to the room is in its timeline`)
  }
  for (const host of [a, b]) {
    const C = await as(host, 'carol')
    const r = await C('GET', `/api/v1/rooms/${room}/messages/${root.id}/thread`)
    t.same([r.status, r.body?.error?.code], [403, 'not_a_member'], `${host.name}: carol is refused the thread`)
  }
})
