/**
 * Rooms through the local API, on a relay and a client daemon: creating, naming, the
 * directory, joining and leaving, private rooms refused to outsiders on both replicas (not
 * only hidden in the page), direct conversations, per-room unread counts and mentions, and
 * every bad request answered with its code and nothing changed.
 */
import t from 'tap'
import { call, startPair, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()

type Asserts = { same: (a: unknown, b: unknown, m: string) => boolean; ok: (v: unknown, m: string) => boolean }

function refused(t: Asserts, r: Reply, status: number, code: string, what: string): void {
  t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
  t.ok(
    typeof r.body?.error?.message === 'string' && r.body.error.message.length > 10,
    `${what}: says why in words ("${r.body?.error?.message}")`,
  )
}

t.test('rooms', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol'])
  const alice = await token(relay.ui, 'alice')
  const bob = await token(client.ui, 'bob')
  const carol = await token(client.ui, 'carol')
  const as =
    (ui: string, tok: string) =>
    (path: string, c: { method?: string; json?: unknown } = {}) =>
      call(ui, path, { token: tok, ...c })
  const A = as(relay.ui, alice)
  const B = as(client.ui, bob)
  const C = as(client.ui, carol)
  const Crelay = as(relay.ui, await token(relay.ui, 'carol'))
  const roomsOf = async (f: typeof A) =>
    (await f('/api/v1/rooms')).body.rooms as {
      id: string
      name: string
      kind: string
      unread: number
      mentions: number
      members: string[]
    }[]
  const replicated = (f: typeof A, id: string) =>
    waitFor(`${id} on the other replica`, async () => (await f(`/api/v1/rooms/${id}`)).status !== 404)

  let design = ''
  await t.test('a public room: created with a typed name, unique regardless of how it is typed', async (t) => {
    const made = await A('/api/v1/rooms', { json: { name: '  Design Team ', topic: 'Pixels and fonts' } })
    t.equal(made.status, 201, 'created')
    t.match(
      made.body.room,
      { name: 'design-team', topic: 'Pixels and fonts', kind: 'public', joined: true, memberCount: 1 },
      'named as Slack would: lower case, dashes',
    )
    design = made.body.room.id
    t.match(design, /^r-[a-z0-9]{12}$/, 'with an id that never changes')
    refused(
      t,
      await B('/api/v1/rooms', { json: { name: 'DESIGN-team' } }),
      409,
      'room_name_taken',
      'the same name in capitals, from the other machine',
    )
    refused(t, await A('/api/v1/rooms', { json: { name: 'General' } }), 409, 'room_name_taken', 'general')
    refused(t, await A('/api/v1/rooms', { json: { name: '   ' } }), 400, 'invalid_room_name', 'an empty name')
    refused(t, await A('/api/v1/rooms', { json: { name: 'x'.repeat(41) } }), 400, 'invalid_room_name', 'a name of 41 characters')
    refused(t, await A('/api/v1/rooms', { json: { name: 'a/b' } }), 400, 'invalid_room_name', 'a slash')
    refused(
      t,
      await A('/api/v1/rooms', { json: { name: 'ok', topic: 't'.repeat(251) } }),
      400,
      'invalid_topic',
      'a topic of 251 characters',
    )
    const names = (await A('/api/v1/rooms-directory')).body.rooms.map((r: { name: string }) => r.name)
    t.same(names, ['general', 'design-team'], 'and none of the refused ones exists')
  })

  await t.test('joining from the directory, posting, leaving', async (t) => {
    await replicated(B, design)
    const dir = (await B('/api/v1/rooms-directory')).body.rooms.find((r: { id: string }) => r.id === design)
    t.match(dir, { joined: false, topic: 'Pixels and fonts' }, 'bob sees it in the directory, not joined')
    t.equal((await B(`/api/v1/rooms/${design}/messages`)).status, 200, 'a public room can be read before joining')
    refused(t, await B(`/api/v1/rooms/${design}/messages`, { json: { text: 'hi' } }), 403, 'not_a_member', 'posting before joining')
    t.match((await B(`/api/v1/rooms/${design}/join`, { method: 'POST' })).body.room, { joined: true, memberCount: 2 }, 'bob joins')
    refused(t, await B(`/api/v1/rooms/${design}/join`, { method: 'POST' }), 409, 'already_member', 'joining twice')
    t.equal((await B(`/api/v1/rooms/${design}/messages`, { json: { text: 'hello design' } })).status, 201, 'and posts')
    t.same((await B(`/api/v1/rooms/${design}/members`)).body.members, ['alice', 'bob'], 'members, sorted')
    t.ok(
      (await roomsOf(B)).some((r) => r.id === design),
      "the room is in bob's list",
    )
    t.equal((await B(`/api/v1/rooms/${design}/leave`, { method: 'POST' })).status, 204, 'bob leaves')
    t.notOk(
      (await roomsOf(B)).some((r) => r.id === design),
      'and it is out of his list',
    )
    refused(t, await B('/api/v1/rooms/general/leave', { method: 'POST' }), 409, 'cannot_leave', 'leaving general')
    refused(t, await B('/api/v1/rooms/r-nonexistent0/join', { method: 'POST' }), 404, 'unknown_room', 'a room that does not exist')
  })

  await t.test('renaming and the topic', async (t) => {
    t.match(
      (await A(`/api/v1/rooms/${design}`, { method: 'PATCH', json: { name: 'design', topic: 'Pixels' } })).body.room,
      { name: 'design', topic: 'Pixels' },
      'renamed',
    )
    t.equal((await A('/api/v1/rooms', { json: { name: 'design-team' } })).status, 201, 'the old name is free again')
    refused(
      t,
      await A(`/api/v1/rooms/${design}`, { method: 'PATCH', json: { name: 'design-team' } }),
      409,
      'room_name_taken',
      'renaming onto a taken name',
    )
    refused(t, await A('/api/v1/rooms/general', { method: 'PATCH', json: { name: 'lobby' } }), 400, 'invalid_room_name', 'renaming general')
    refused(
      t,
      await B(`/api/v1/rooms/${design}`, { method: 'PATCH', json: { topic: 'mine now' } }),
      403,
      'not_a_member',
      'a non-member setting the topic',
    )
    t.equal(
      (await A('/api/v1/rooms/general', { method: 'PATCH', json: { topic: 'Everyone' } })).body.room.topic,
      'Everyone',
      'general takes a topic',
    )
  })

  await t.test('a private room is refused to non-members on every replica', async (t) => {
    const made = await A('/api/v1/rooms', { json: { name: 'secret-plans', kind: 'private', invite: ['bob'] } })
    t.match(made.body.room, { kind: 'private', memberCount: 2 }, 'alice makes it with bob in it')
    const id = made.body.room.id as string
    await replicated(B, id)
    t.equal((await B(`/api/v1/rooms/${id}/messages`, { json: { text: 'only for us' } })).status, 201, 'bob posts there')
    for (const [where, f] of [
      ['client', C],
      ['relay', Crelay],
    ] as const) {
      for (const path of ['', '/messages', '/members', '/read']) {
        refused(t, await f(`/api/v1/rooms/${id}${path}`), 403, 'not_a_member', `carol reading ${path || 'the room'} on the ${where}`)
      }
      refused(
        t,
        await f(`/api/v1/rooms/${id}/messages`, { json: { text: 'let me in' } }),
        403,
        'not_a_member',
        `carol posting on the ${where}`,
      )
      refused(t, await f(`/api/v1/rooms/${id}/join`, { method: 'POST' }), 403, 'not_a_member', `carol joining on the ${where}`)
      t.notOk(
        (await f('/api/v1/rooms-directory')).body.rooms.some((r: { id: string }) => r.id === id),
        `not in carol's directory on the ${where}`,
      )
    }
    refused(t, await C(`/api/v1/rooms/${id}/members`, { json: { username: 'carol' } }), 403, 'not_a_member', 'carol inviting herself')
    t.equal((await B(`/api/v1/rooms/${id}/members`, { json: { username: 'carol' } })).status, 200, 'bob invites carol')
    await waitFor('carol let in', async () => (await C(`/api/v1/rooms/${id}/messages`)).status === 200)
    // The room is end-to-end encrypted: what was said before her invitation was sealed to
    // alice and bob only (docs/ARCHITECTURE.md, "Private rooms end to end").
    t.match(
      (await C(`/api/v1/rooms/${id}/messages`)).body.messages,
      [{ text: '', encrypted: true, unreadable: 'no_key' }],
      'she sees that a message was sent before her invitation, not what it said',
    )
    t.equal((await B(`/api/v1/rooms/${id}/messages`, { json: { text: 'welcome, carol' } })).status, 201, 'bob posts again')
    const after = await waitFor('the new message on the client', async () => {
      const m = (await C(`/api/v1/rooms/${id}/messages`)).body.messages
      return m.length === 2 && m
    })
    t.match(after[1], { text: 'welcome, carol', encrypted: true }, 'and what comes after her invitation she reads')
    t.notOk('unreadable' in after[1])
  })

  await t.test('direct conversations: one per set of people, whoever starts it', async (t) => {
    const started = await A('/api/v1/direct', { json: { with: ['Bob'] } })
    t.equal(started.status, 201, 'alice starts one with bob')
    t.same(started.body.room.members, ['alice', 'bob'], 'between the two of them')
    await replicated(B, started.body.room.id)
    const again = await B('/api/v1/direct', { json: { with: ['alice'] } })
    t.same([again.status, again.body.room.id], [200, started.body.room.id], 'bob starting one with alice finds the same')
    refused(t, await A('/api/v1/direct', { json: { with: ['nobody-here'] } }), 409, 'unknown_author', 'someone without an account')
    refused(t, await A('/api/v1/direct', { json: { with: ['alice'] } }), 400, 'bad_request', 'only oneself')
    refused(t, await C(`/api/v1/rooms/${started.body.room.id}/messages`), 403, 'not_a_member', 'carol reading it')
    refused(t, await A(`/api/v1/rooms/${started.body.room.id}/leave`, { method: 'POST' }), 409, 'cannot_leave', 'leaving it')
  })

  await t.test('two people starting the same conversation at once, on two machines, get one', async (t) => {
    const Brelay = as(relay.ui, await token(relay.ui, 'bob'))
    const [fromCarol, fromBob] = await Promise.all([
      C('/api/v1/direct', { json: { with: ['bob'] } }),
      Brelay('/api/v1/direct', { json: { with: ['carol'] } }),
    ])
    t.same([fromCarol.status, fromBob.status].sort(), [200, 201], 'one starts it, the other finds it')
    t.equal(fromCarol.body.room.id, fromBob.body.room.id, 'the same conversation')
  })

  await t.test('unread counts and mentions are per room', async (t) => {
    const dm = (await B('/api/v1/direct', { json: { with: ['alice'] } })).body.room.id as string
    await B(`/api/v1/rooms/${dm}/messages`, { json: { text: 'are you there @alice?' } })
    await B(`/api/v1/rooms/${dm}/messages`, { json: { text: 'ping' } })
    const dmRow = await waitFor('alice to see 2 unread', async () => (await roomsOf(A)).find((r) => r.id === dm && r.unread === 2))
    t.equal(dmRow.mentions, 1, 'one of them mentions her')
    const general = (await roomsOf(A)).find((r) => r.id === 'general')!
    t.equal(general.unread, 0, 'general is untouched')
    t.ok(
      (await roomsOf(C)).every((r) => r.id !== dm),
      "the conversation is not in carol's list",
    )
  })
})
