import { join } from 'node:path'
import t from 'tap'
import WebSocket from 'ws'
import type { Entry, UiEvent } from '../../../shared/index.js'
import { hashPassword } from '../../../daemon/accounts/index.js'
import { Store } from '../../../daemon/store/index.js'
import { call, startLocalDaemon, startPair, waitFor } from './local-daemon.js'
import { diskText } from '../../lib/disk.js'

const root = t.testdir()
const PASSWORD = 'sealed velvet lamps'

async function page(ui: string, token: string) {
  const ws = new WebSocket(`${ui.replace('http', 'ws')}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } })
  const events: UiEvent[] = []
  ws.on('message', (raw) => events.push(JSON.parse(raw.toString()) as UiEvent))
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return { ws, events }
}

t.test('a private room and a conversation, end to end on one daemon', async (t) => {
  const dataDir = join(root, 'relay')
  let stop: (() => Promise<void>) | null = null
  const relay = await startLocalDaemon({ teardown: (fn) => (stop = fn as () => Promise<void>) }, dataDir, 'relay')
  t.teardown(() => stop?.())
  await waitFor('a relay', async () => (await call(relay.ui, '/api/v1/status')).body.role === 'relay')
  const as = async (username: string) => {
    t.equal((await call(relay.ui, '/api/v1/accounts', { json: { username, password: PASSWORD } })).status, 201, `${username} signs up`)
    const token = (await call(relay.ui, '/api/v1/sessions', { json: { username, password: PASSWORD } })).body.token as string
    return { token, api: (path: string, c: { method?: string; json?: unknown } = {}) => call(relay.ui, path, { token, ...c }) }
  }
  const alice = await as('alice')
  const bob = await as('bob')
  const carol = await as('carol')
  const bobPage = await page(relay.ui, bob.token)
  const carolPage = await page(relay.ui, carol.token)
  t.teardown(() => {
    bobPage.ws.close()
    carolPage.ws.close()
  })

  const made = await alice.api('/api/v1/rooms', { json: { name: 'launch', kind: 'private', invite: ['bob'] } })
  t.match(made.body.room, { kind: 'private', memberCount: 2, encrypted: true }, 'a new private room is encrypted from the start')
  const room = made.body.room.id as string
  const posted = await alice.api(`/api/v1/rooms/${room}/messages`, { json: { text: 'pineapple zeppelin at dawn, @bob' } })
  t.equal(posted.status, 201, 'alice posts')
  t.match(posted.body.message, { text: 'pineapple zeppelin at dawn, @bob', encrypted: true }, 'and is answered in the clear')

  const read = (await bob.api(`/api/v1/rooms/${room}/messages`)).body.messages
  t.match(read, [{ author: 'alice', text: 'pineapple zeppelin at dawn, @bob', encrypted: true }], 'bob reads it')
  t.notOk('sealed' in read[0] || 'unreadable' in read[0], 'opened, and no sealed form handed out')
  const live = await waitFor('the message on bob’s page', async () =>
    bobPage.events.find((e): e is Extract<UiEvent, { type: 'message' }> => e.type === 'message' && e.message.room === room),
  )
  t.match(live.message, { text: 'pineapple zeppelin at dawn, @bob', encrypted: true }, 'his page gets it opened, live')
  t.notOk('sealed' in live.message)
  const bobsRoom = (await bob.api('/api/v1/rooms')).body.rooms.find((r: { id: string }) => r.id === room)
  t.match(bobsRoom, { unread: 1, mentions: 1, encrypted: true }, 'the mention inside the sealed text counts for bob')

  const edited = await alice.api(`/api/v1/rooms/${room}/messages/${posted.body.message.id}`, {
    method: 'PUT',
    json: { text: 'pineapple zeppelin at noon' },
  })
  t.match(edited.body.message, { text: 'pineapple zeppelin at noon', encrypted: true }, 'an edit is sealed and answered opened')
  t.match((await bob.api(`/api/v1/rooms/${room}/messages`)).body.messages, [{ text: 'pineapple zeppelin at noon' }], 'bob reads the edit')
  const liveEdit = await waitFor('the edit on bob’s page', async () =>
    bobPage.events.find((e) => e.type === 'updated' && e.message.room === room && e.message.text === 'pineapple zeppelin at noon'),
  )
  t.ok(liveEdit, 'live too')

  t.equal((await carol.api(`/api/v1/rooms/${room}/messages`)).body.error.code, 'not_a_member', 'carol is refused the room')

  const dm = await alice.api('/api/v1/direct', { json: { with: ['bob'] } })
  t.match(dm.body.room, { kind: 'direct', encrypted: true }, 'a new conversation is encrypted from the start')
  t.equal((await bob.api(`/api/v1/rooms/${dm.body.room.id}/messages`, { json: { text: 'marmalade quasar' } })).status, 201)
  t.match((await alice.api(`/api/v1/rooms/${dm.body.room.id}/messages`)).body.messages, [{ text: 'marmalade quasar', author: 'bob' }])
  t.equal((await alice.api('/api/v1/rooms/general/messages', { json: { text: 'public velociraptor notice' } })).status, 201)

  t.equal((await bob.api(`/api/v1/rooms/${room}/leave`, { method: 'POST' })).status, 204, 'bob leaves')
  t.equal((await alice.api(`/api/v1/rooms/${room}/messages`, { json: { text: 'after bob left: tangerine' } })).status, 201)
  t.equal((await bob.api(`/api/v1/rooms/${room}/members`, { json: { username: 'carol' } })).body.error.code, 'not_a_member')
  t.equal((await alice.api(`/api/v1/rooms/${room}/members`, { json: { username: 'bob' } })).status, 200, 'alice invites bob back')
  // Carol joins, and alice posts five at once: one new key for all of them, not five.
  t.equal((await alice.api(`/api/v1/rooms/${room}/members`, { json: { username: 'carol' } })).status, 200, 'alice invites carol')
  const burst = await Promise.all([1, 2, 3, 4, 5].map((i) => alice.api(`/api/v1/rooms/${room}/messages`, { json: { text: `burst ${i}` } })))
  t.same(
    burst.map((r) => r.status),
    [201, 201, 201, 201, 201],
    'five posts at once after a membership change all go through',
  )
  const carolReads = (await carol.api(`/api/v1/rooms/${room}/messages`)).body.messages.slice(-5)
  t.same(
    carolReads.map((m: { text: string }) => m.text).sort(),
    ['burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5'],
    'carol reads them all',
  )
  t.equal((await carol.api(`/api/v1/rooms/${room}/leave`, { method: 'POST' })).status, 204, 'and leaves again')
  t.equal((await alice.api(`/api/v1/rooms/${room}/messages`, { json: { text: 'welcome back, bob' } })).status, 201)
  const back = (await bob.api(`/api/v1/rooms/${room}/messages`)).body.messages
  t.match(
    back.map((m: { text: string; unreadable?: string }) => [m.text, m.unreadable]),
    [
      ['pineapple zeppelin at noon', undefined],
      ['', 'no_key'],
      ['burst 1', undefined],
      ['burst 2', undefined],
      ['burst 3', undefined],
      ['burst 4', undefined],
      ['burst 5', undefined],
      ['welcome back, bob', undefined],
    ].map(([text, why]) => (text?.startsWith('burst') ? [String, undefined] : [text, why])),
    'bob’s keys open what was said while he was in, not what was said while he was out',
  )
  t.notOk(
    carolPage.events.some(
      (e) => (e.type === 'message' || e.type === 'updated') && e.message.room !== 'general' && !e.message.text.startsWith('burst'),
    ),
    'carol’s page got nothing of the room or the conversation but what was said while she was in',
  )

  await new Promise((r) => setTimeout(r, 200)) // the read marks and the last write settle
  bobPage.ws.close()
  carolPage.ws.close()
  const done = stop as (() => Promise<void>) | null
  stop = null
  await done?.()

  const disk = diskText(dataDir)
  t.match(disk, /public velociraptor notice/, 'a public message is on disk as written: the scan finds words')
  for (const word of ['pineapple', 'zeppelin', 'marmalade', 'quasar', 'tangerine', 'welcome back'])
    t.notMatch(disk, new RegExp(word), `"${word}" is nowhere on disk`)

  const store = await Store.open(join(dataDir, 'db'))
  t.teardown(() => store.close())
  const keys = (await store.log.range(1, 1000)).filter((e: Entry) => e.body.type === 'room.key' && e.body.room === room)
  t.same(
    keys.map((e) => (e.body.type === 'room.key' ? [e.body.epoch, Object.keys(e.body.sealed).sort()] : [])),
    [
      [1, ['alice', 'bob']],
      [2, ['alice']],
      [3, ['alice', 'bob', 'carol']],
      [4, ['alice', 'bob']],
    ],
    'a new key at creation, after bob left (alice only), one for the burst after bob and carol came (lazy: none between), after carol left',
  )
})

t.test('a member without account keys keeps a room plain until they log in; an encrypted room cannot take one', async (t) => {
  const dataDir = join(root, 'old')
  const seeded = await Store.open(join(dataDir, 'db'))
  const password = await hashPassword(PASSWORD)
  const old = (username: string, seq: number): Entry => ({
    id: `old-account-${seq}`,
    ts: Date.now() - 60_000,
    origin: 'b0b0b0b0b0b0b0b0',
    seq,
    term: 1,
    body: { type: 'account.created', username, password },
  })
  await seeded.append([old('olga', 1), old('oskar', 2)])
  await seeded.close()
  const relay = await startLocalDaemon(t, dataDir, 'old')
  await waitFor('a relay', async () => (await call(relay.ui, '/api/v1/status')).body.role === 'relay')
  t.equal((await call(relay.ui, '/api/v1/accounts', { json: { username: 'alice', password: PASSWORD } })).status, 201)
  const token = async (username: string) =>
    (await call(relay.ui, '/api/v1/sessions', { json: { username, password: PASSWORD } })).body.token as string
  const A = (
    (tok: string) =>
    (path: string, c: { method?: string; json?: unknown } = {}) =>
      call(relay.ui, path, { token: tok, ...c })
  )(await token('alice'))

  const made = await A('/api/v1/rooms', { json: { name: 'old-friends', kind: 'private', invite: ['olga'] } })
  t.match(made.body.room, { encrypted: false, waitingForKeys: ['olga'] }, 'the room says whom it waits for')
  const room = made.body.room.id as string
  t.equal((await A(`/api/v1/rooms/${room}/messages`, { json: { text: 'plain while olga has no keys' } })).status, 201)
  t.notOk((await A(`/api/v1/rooms/${room}/messages`)).body.messages[0].encrypted, 'her room stays plain')

  const olga = await token('olga') // her log-in gives her account keys
  await waitFor('olga’s keys in the log', async () => !(await A(`/api/v1/rooms/${room}`)).body.room.waitingForKeys)
  t.equal((await A(`/api/v1/rooms/${room}/messages`, { json: { text: 'now sealed for olga too' } })).status, 201)
  const O = (path: string) => call(relay.ui, path, { token: olga })
  t.match((await O(`/api/v1/rooms/${room}`)).body.room, { encrypted: true }, 'the first post since made the room’s first key')
  t.match(
    (await O(`/api/v1/rooms/${room}/messages`)).body.messages,
    [
      { text: 'plain while olga has no keys', encrypted: undefined },
      { text: 'now sealed for olga too', encrypted: true },
    ],
    'olga reads both: the plain one and, from her keys, the sealed one',
  )
  const refused = await A(`/api/v1/rooms/${room}/members`, { json: { username: 'oskar' } })
  t.same([refused.status, refused.body.error.code], [409, 'room_key_invalid'], 'oskar, without keys, cannot be invited into it now')
  t.match(refused.body.error.message, /once they have logged in once/, 'and the refusal says what to do')
})

t.test('across two daemons: a post right after a membership change its replica may not have seen yet', async (t) => {
  const { relay, client, token } = await startPair(t, join(root, 'pair'), ['alice', 'bob', 'carol'], PASSWORD)
  const as =
    (ui: string, tok: string) =>
    (path: string, c: { method?: string; json?: unknown } = {}) =>
      call(ui, path, { token: tok, ...c })
  const A = as(relay.ui, await token(relay.ui, 'alice'))
  const B = as(client.ui, await token(client.ui, 'bob'))
  const C = as(relay.ui, await token(relay.ui, 'carol'))
  const room = (await A('/api/v1/rooms', { json: { name: 'pair-room', kind: 'private', invite: ['bob'] } })).body.room.id as string
  await waitFor('the room on the client', async () => (await B(`/api/v1/rooms/${room}`)).status === 200)
  for (let round = 1; round <= 3; round++) {
    // On the relay at once; bob's machine hears of it a moment later, or already has.
    t.equal((await A(`/api/v1/rooms/${room}/members`, { json: { username: 'carol' } })).status, 200, `round ${round}: carol invited`)
    const posted = await B(`/api/v1/rooms/${room}/messages`, { json: { text: `from bob, round ${round}` } })
    t.equal(posted.status, 201, `round ${round}: bob's post goes through (sealed again if it was sealed before the invitation)`)
    const seen = await waitFor(`round ${round} for carol`, async () =>
      (await C(`/api/v1/rooms/${room}/messages`)).body.messages?.find((m: { id: string }) => m.id === posted.body.message.id),
    )
    t.match(seen, { text: `from bob, round ${round}`, encrypted: true }, `round ${round}: carol, just invited, reads it`)
    t.equal((await C(`/api/v1/rooms/${room}/leave`, { method: 'POST' })).status, 204, `round ${round}: carol leaves`)
    const after = await B(`/api/v1/rooms/${room}/messages`, { json: { text: `after carol, round ${round}` } })
    t.equal(after.status, 201, `round ${round}: bob posts right after she left`)
    const alices = await waitFor(`round ${round} for alice`, async () =>
      (await A(`/api/v1/rooms/${room}/messages`)).body.messages?.find((m: { id: string }) => m.id === after.body.message.id),
    )
    t.match(alices, { text: `after carol, round ${round}` }, `round ${round}: alice reads it`)
    t.equal(
      (await C(`/api/v1/rooms/${room}/messages`)).body.error?.code,
      'not_a_member',
      `round ${round}: carol, out again, is refused the room`,
    )
  }
})
