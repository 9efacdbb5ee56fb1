/**
 * `PUT /api/v1/rooms/ROOM/notify`: a member chooses what a room notifies them of; the level is
 * in the room as the page reads it, on every machine the person logs in on (a signed
 * `notify.set` in the log); bad input and non-members are refused with their codes, nothing
 * written; the same level again writes nothing.
 */
import t from 'tap'
import { call, startPair, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()

t.test('notification levels per room', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol'])
  const as =
    (ui: string, tok: string) =>
    (path: string, c: { method?: string; json?: unknown } = {}) =>
      call(ui, path, { token: tok, ...c })
  const A = as(relay.ui, await token(relay.ui, 'alice'))
  const B = as(client.ui, await token(client.ui, 'bob'))
  const Brelay = as(relay.ui, await token(relay.ui, 'bob'))
  const C = as(client.ui, await token(client.ui, 'carol'))
  const made = await A('/api/v1/rooms', { json: { name: 'quiet-corner', kind: 'private', invite: ['bob'] } })
  const room = made.body.room.id as string
  await waitFor('the room on the client', async () => (await B(`/api/v1/rooms/${room}`)).status === 200)
  const put = (f: typeof A, id: string, json: unknown) => f(`/api/v1/rooms/${id}/notify`, { method: 'PUT', json })
  const head = async () => (await call(relay.ui, '/api/v1/status')).body.head as number
  const refused = (r: Reply, status: number, code: string, what: string) => {
    t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
    t.ok(String(r.body?.error?.message ?? '').length > 10, `${what}: says why in words`)
  }

  t.match((await B(`/api/v1/rooms/${room}`)).body.room, { notify: 'all' }, 'all until chosen')
  const set = await put(B, room, { level: 'mentions' })
  t.equal(set.status, 200)
  t.match(set.body.room, { id: room, notify: 'mentions' }, 'the answer is the room with its new level')
  t.match(
    ((await B('/api/v1/rooms')).body.rooms as { id: string; notify: string }[]).find((r) => r.id === room),
    { notify: 'mentions' },
    'in the room list the page reads',
  )
  await waitFor('the level on the relay', async () => (await Brelay(`/api/v1/rooms/${room}`)).body.room.notify === 'mentions')
  t.pass("bob's other machine shows the level he chose on this one")
  t.match((await A(`/api/v1/rooms/${room}`)).body.room, { notify: 'all' }, "alice's level is her own")

  const before = await head()
  t.equal((await put(B, room, { level: 'mentions' })).status, 200, 'the same level again')
  t.equal(await head(), before, 'writes nothing to the log')

  for (const [body, what] of [
    [{ level: 'loud' }, 'an unknown level'],
    [{}, 'no level'],
    [{ level: 3 }, 'a number'],
    ['mute', 'a bare string'],
  ] as const)
    refused(await put(B, room, body), 400, 'invalid_notify_level', what)
  refused(await put(C, room, { level: 'mute' }), 403, 'not_a_member', 'carol, not in the private room')
  refused(await put(B, 'r-zzzzzzzzzzzz', { level: 'mute' }), 404, 'unknown_room', 'a room that does not exist')
  const directory = await A('/api/v1/rooms', { json: { name: 'open-plan' } })
  // Made on the relay: the client must have it before bob is refused for not being in it (else 404).
  await waitFor('#open-plan on the client', async () => (await call(client.ui, '/api/v1/status')).body.head >= before + 1)
  refused(await put(B, directory.body.room.id, { level: 'mute' }), 403, 'not_a_member', 'bob, not in a public room he never joined')
  t.equal(await head(), before + 1, 'nothing refused reached the log (only alice made #open-plan)')
  t.equal((await put(B, 'general', { level: 'mute' })).status, 200, 'general, which everyone is in')
  t.match((await B('/api/v1/rooms/general')).body.room, { notify: 'mute' })
})
