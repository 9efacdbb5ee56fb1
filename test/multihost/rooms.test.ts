/**
 * Rooms across real daemons on three simulated machines. A private room is refused to a
 * non-member on every replica, not only hidden in the page: each daemon answers from its own
 * copy of the log. Then the relay is killed, and what people expect to outlive that does:
 * who is online and who is away (presence is said again to the new relay), and how far each
 * person has read each room (read marks are log entries, so every replica has them).
 */
import t from 'tap'
import WebSocket from 'ws'
import type { UiEvent } from '../../shared/index.js'
import { canBuildLan, createLan, type Host } from './harness.js'
import { bearer, logIn, sameHead, settledProbe, signUp } from './lan-helpers.js'

const can = canBuildLan()
const PASSWORD = 'rooms password'

/** A chat page's events socket, opened over the host's control socket. */
async function openPage(host: Host, token: string): Promise<{ send: (frame: unknown) => void; events: UiEvent[]; close: () => void }> {
  const ws = new WebSocket(`ws+unix://${host.socketPath}:/api/v1/events`, { headers: { ...bearer(token), host: 'localhost' } })
  const events: UiEvent[] = []
  ws.on('message', (raw) => events.push(JSON.parse(raw.toString()) as UiEvent))
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return { send: (frame) => ws.send(JSON.stringify(frame)), events, close: () => ws.close() }
}

t.test('private rooms and what survives a failover', { skip: can.ok ? false : can.reason }, async (t) => {
  const lan = await createLan(t, 3)
  await Promise.all(lan.hosts.map((h) => h.start()))
  const settled = await lan.waitFor('a settled LAN', () => settledProbe(lan.hosts), 30_000)
  const [a, b] = lan.hosts.filter((h) => h !== settled.relay) as [Host, Host]
  for (const name of ['alice', 'bob', 'carol']) await signUp(a, name, PASSWORD)
  await lan.waitFor('the accounts everywhere', () => sameHead(lan.hosts, 3))
  const alice = (await logIn(a, 'alice', PASSWORD)).token
  const bob = (await logIn(b, 'bob', PASSWORD)).token
  const as =
    (host: Host, token: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: tests read any field of any answer and assert on it
    <T = any>(method: string, path: string, body?: unknown) =>
      host.api<T>(method, path, body, bearer(token))
  const A = as(a, alice)
  const B = as(b, bob)

  const made = await A('POST', '/api/v1/rooms', { name: 'salaries', kind: 'private', invite: ['bob'] })
  t.equal(made.status, 201, 'alice makes a private room with bob in it')
  const room = made.body.room.id as string
  const first = await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'numbers are in' })
  const head = await lan.waitFor('the room on every replica', () => sameHead(lan.hosts, first.body.message.seq))

  await t.test('carol is refused the private room on every replica', async (t) => {
    for (const host of lan.hosts) {
      const C = as(host, (await logIn(host, 'carol', PASSWORD)).token)
      const role = host === settled.relay ? 'the relay' : 'a client'
      for (const path of ['', '/messages', '/members', '/read']) {
        const r = await C('GET', `/api/v1/rooms/${room}${path}`)
        t.same(
          [r.status, r.body?.error?.code],
          [403, 'not_a_member'],
          `${host.name} (${role}): GET ${path || 'the room'} is 403 not_a_member`,
        )
      }
      const p = await C('POST', `/api/v1/rooms/${room}/messages`, { text: 'let me see' })
      t.same([p.status, p.body?.error?.code], [403, 'not_a_member'], `${host.name} (${role}): posting is refused`)
      const dir = await C('GET', '/api/v1/rooms-directory')
      t.notOk(
        dir.body.rooms.some((r: { id: string }) => r.id === room),
        `${host.name}: not in carol's directory`,
      )
    }
    t.equal((await settled.relay.status()).head, head, 'and nothing was written for any of it')
  })

  await t.test('presence and read positions outlive the relay', async (t) => {
    const alicePage = await openPage(a, alice)
    const bobPage = await openPage(b, bob)
    t.teardown(() => {
      alicePage.close()
      bobPage.close()
    })
    alicePage.send({ type: 'away', on: true })
    await lan.waitFor("bob's machine to see alice away", async () => (await b.status()).away.includes('alice'))
    t.equal((await B('PUT', `/api/v1/rooms/${room}/read`, { seq: first.body.message.seq })).status, 204, 'bob reads the room')
    await lan.waitFor("bob's read mark on every replica", async () => {
      for (const h of lan.hosts)
        if (
          (await h.api('GET', `/api/v1/rooms/${room}/read`, undefined, bearer((await logIn(h, 'bob', PASSWORD)).token))).body.seq !==
          first.body.message.seq
        )
          return false
      return true
    })

    const killedAt = Date.now()
    await settled.relay.kill()
    const after = await lan.waitFor('a new relay', () => settledProbe([a, b]), 20_000)
    t.comment(`new relay ${after.relay.name} ${Date.now() - killedAt} ms after the kill`)
    const seen = await lan.waitFor(
      'both online again, alice still away, on both machines',
      async () => {
        const [sa, sb] = await Promise.all([a.status(), b.status()])
        return (
          [sa, sb].every(
            (s) => s.online.includes('alice') && s.online.includes('bob') && s.away.includes('alice') && !s.away.includes('bob'),
          ) && sb
        )
      },
      15_000,
    )
    t.same(
      seen.online.filter((u) => u === 'alice' || u === 'bob'),
      ['alice', 'bob'],
      'alice and bob are each online once',
    )

    const bobOnA = as(a, (await logIn(a, 'bob', PASSWORD)).token)
    t.match(
      (await bobOnA('GET', `/api/v1/rooms/${room}/read`)).body,
      { seq: first.body.message.seq, unread: 0 },
      "bob's read position is the same on alice's machine",
    )
    const next = await A('POST', `/api/v1/rooms/${room}/messages`, { text: 'after the failover' })
    t.equal(next.status, 201, 'alice posts to the room through the new relay')
    const row = await lan.waitFor('one unread for bob', async () => {
      const rooms = (await B('GET', '/api/v1/rooms')).body.rooms as { id: string; unread: number }[]
      return rooms.find((r) => r.id === room && r.unread === 1)
    })
    t.ok(row, "bob's machine counts exactly the one new message as unread")
    t.ok(
      bobPage.events.some((e) => e.type === 'message' && e.message.id === next.body.message.id),
      "and bob's open page was handed it live",
    )
  })
})
