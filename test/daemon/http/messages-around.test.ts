/**
 * GET /api/v1/rooms/ROOM/messages?around=ID (a search result opened in its room) and
 * ?after=SEQ (paging down from it), on one relay on loopback: the page around a message at
 * the start, the middle and the end of a room, with whether more lies before and after;
 * an unknown id, an id of another room, and several bounds at once
 * refused with stable codes; a private room's history around a message refused to a
 * non-member and opened (sealed text readable) for a member.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { call, startLocalDaemon, waitFor } from './local-daemon.js'

type Page = { messages: { id: string; seq: number; text: string }[]; hasOlder: boolean; hasNewer: boolean }

t.test('history around a message, and paging forward from it', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-around-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const relay = await startLocalDaemon(t, join(root, 'relay'), 'relay')
  await waitFor('a relay', async () => (await call(relay.ui, '/api/v1/status')).body.role === 'relay')
  const password = 'pair of velvet lamps'
  const tokens: Record<string, string> = {}
  for (const username of ['alice', 'bob', 'carol']) {
    t.equal((await call(relay.ui, '/api/v1/accounts', { json: { username, password } })).status, 201)
    tokens[username] = (await call(relay.ui, '/api/v1/sessions', { json: { username, password } })).body.token
  }
  const as = (who: string) => (path: string, json?: unknown) => call(relay.ui, path, { token: tokens[who]!, ...(json ? { json } : {}) })
  const alice = as('alice')
  const bob = as('bob')
  const carol = as('carol')

  const ids: string[] = []
  for (let i = 1; i <= 30; i++) {
    const r = await alice('/api/v1/rooms/general/messages', { text: `m${i}` })
    t.equal(r.status, 201)
    ids.push(r.body.message.id)
  }
  const texts = (p: Page) => p.messages.map((m) => m.text)
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`)
  const around = async (n: number, limit: number): Promise<Page> => {
    const r = await alice(`/api/v1/rooms/general/messages?around=${ids[n - 1]}&limit=${limit}`)
    t.equal(r.status, 200, `around m${n}`)
    return r.body as Page
  }

  const middle = await around(15, 11)
  t.same(texts(middle), range(10, 20), 'the middle: 5 before, the message, 5 after')
  t.match(middle, { hasOlder: true, hasNewer: true })
  t.same(await around(15, 10).then(texts), range(11, 20), 'an even limit: one fewer before than after')

  const start = await around(2, 11)
  t.same(texts(start), range(1, 11), 'at the start the newer side takes the room left')
  t.match(start, { hasOlder: false, hasNewer: true })

  const end = await around(29, 11)
  t.same(texts(end), range(20, 30), 'at the end the older side takes it')
  t.match(end, { hasOlder: true, hasNewer: false })

  const whole = await around(15, 100)
  t.same(texts(whole), range(1, 30), 'a page larger than the room: all of it')
  t.match(whole, { hasOlder: false, hasNewer: false })

  // Paging down from the middle page, as the page does, reaches the end exactly once each.
  const next = (await alice(`/api/v1/rooms/general/messages?after=${middle.messages.at(-1)!.seq}&limit=6`)).body as Page
  t.same(texts(next), range(21, 26), 'after= gives the next page, oldest first')
  t.equal(next.hasNewer, true)
  const last = (await alice(`/api/v1/rooms/general/messages?after=${next.messages.at(-1)!.seq}&limit=6`)).body as Page
  t.same(texts(last), range(27, 30), 'and the last one')
  t.equal(last.hasNewer, false, 'which says nothing follows')
  // And paging up from it with before= (the existing route) continues where it began.
  const up = (await alice(`/api/v1/rooms/general/messages?before=${middle.messages[0]!.seq}&limit=50`)).body as Page
  t.same(texts(up), range(1, 9), 'before= from its top gives what is older')

  const missing = await alice('/api/v1/rooms/general/messages?around=no-such-id')
  t.equal(missing.status, 404, 'an unknown id')
  t.equal(missing.body.error.code, 'unknown_message', 'with a stable code')
  t.match(missing.body.error.message, /search again/, 'and what to do')
  const both = await alice(`/api/v1/rooms/general/messages?around=${ids[0]}&before=5`)
  t.equal(both.status, 400, 'around= with before= is refused')
  t.equal(both.body.error.code, 'bad_request')
  t.equal((await alice('/api/v1/rooms/general/messages?after=-1')).status, 400, 'a negative after=')

  // A private room: members read around a sealed message, opened; a non-member gets nothing.
  const made = await alice('/api/v1/rooms', { name: 'plans', kind: 'private', invite: ['bob'] })
  t.equal(made.status, 201)
  const room = made.body.room.id as string
  const secret = await alice(`/api/v1/rooms/${room}/messages`, { text: 'the quiet orchard plan' })
  t.equal(secret.status, 201)
  await alice(`/api/v1/rooms/${room}/messages`, { text: 'second thought' })
  const asBob = await bob(`/api/v1/rooms/${room}/messages?around=${secret.body.message.id}&limit=5`)
  t.equal(asBob.status, 200, 'a member reads around a message of a private room')
  t.same(texts(asBob.body as Page), ['the quiet orchard plan', 'second thought'], 'its sealed text opened for them')
  t.match(asBob.body.messages[0], { encrypted: true })
  const asCarol = await carol(`/api/v1/rooms/${room}/messages?around=${secret.body.message.id}&limit=5`)
  t.equal(asCarol.status, 403, 'a non-member is refused')
  t.notOk(JSON.stringify(asCarol.body).includes('orchard'), 'and sees none of it')
  t.equal((await carol(`/api/v1/rooms/${room}/messages?after=0`)).status, 403, 'after= is refused to them too')
  const elsewhere = await alice(`/api/v1/rooms/general/messages?around=${secret.body.message.id}`)
  t.equal(elsewhere.status, 404, "an id of another room's message is not found in this one")
})
