/**
 * Replies, threads and pins through the local API of two daemons (a relay and a client):
 * the stable codes for what is refused, a thread read from either machine, the root's summary
 * reaching the other machine's page live, and the pinned list (unpinned by deleting).
 */
import t from 'tap'
import WebSocket from 'ws'
import type { UiEvent } from '../../../shared/index.js'
import { call, startPair, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()

type Asserts = { same: (a: unknown, b: unknown, m: string) => boolean }
function refused(t: Asserts, r: Reply, status: number, code: string, what: string): void {
  t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
}

async function page(ui: string, token: string): Promise<{ events: UiEvent[]; close: () => void }> {
  const ws = new WebSocket(`${ui.replace('http', 'ws')}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } })
  const events: UiEvent[] = []
  ws.on('message', (raw) => events.push(JSON.parse(raw.toString()) as UiEvent))
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return { events, close: () => ws.close() }
}

t.test('replies, threads and pins', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol'])
  type C = { method?: string; json?: unknown }
  const aliceToken = await token(relay.ui, 'alice')
  const bobToken = await token(client.ui, 'bob')
  const carolToken = await token(client.ui, 'carol')
  const A = (path: string, c: C = {}) => call(relay.ui, path, { token: aliceToken, ...c })
  const B = (path: string, c: C = {}) => call(client.ui, path, { token: bobToken, ...c })
  const Cc = (path: string, c: C = {}) => call(client.ui, path, { token: carolToken, ...c })
  const bobPage = await page(client.ui, bobToken)
  t.teardown(() => bobPage.close())

  const post = (f: typeof A, room: string, json: unknown) => f(`/api/v1/rooms/${room}/messages`, { json })
  const rootMsg = (await post(A, 'general', { text: 'Where do we eat?\nSecond line' })).body.message
  const secret = (await A('/api/v1/rooms', { json: { name: 'secret', kind: 'private', invite: ['carol'] } })).body.room.id as string
  const elsewhere = (await post(A, secret, { text: 'in another room' })).body.message
  await waitFor('the root on the client', async () => (await B(`/api/v1/rooms/general/messages`)).body.messages?.length === 1)

  await t.test('a reply quotes the original; bad targets are refused in words', async (t) => {
    const r = await post(B, 'general', { text: 'The usual place', replyTo: rootMsg.id })
    t.equal(r.status, 201, 'sent')
    t.match(r.body.message, { replyTo: rootMsg.id, quote: { state: 'shown', author: 'alice' } }, 'naming what it answers, quoted')
    const seen = (await A('/api/v1/rooms/general/messages')).body.messages.find((m: { id: string }) => m.id === r.body.message.id)
    t.match(seen?.quote, { state: 'shown', author: 'alice', text: 'Where do we eat?' }, 'history carries the quote (first line)')
    const live = await waitFor('the reply on the live feed', async () =>
      bobPage.events.find((e) => e.type === 'message' && e.message.id === r.body.message.id),
    )
    t.match(live, { message: { quote: { state: 'shown', author: 'alice' } } }, 'and so does the live feed')
    refused(
      t,
      await post(A, 'general', { text: 'x', replyTo: elsewhere.id }),
      404,
      'unknown_reply_target',
      "a reply to another room's message",
    )
    refused(t, await post(A, 'general', { text: 'x', replyTo: 'AAAAAAAAAAAAAAAA' }), 404, 'unknown_reply_target', 'a reply to nothing')
    refused(t, await post(A, 'general', { text: 'x', replyTo: 'bad id!' }), 400, 'bad_request', 'a malformed id')
    refused(t, await post(A, 'general', { text: 'x', alsoInRoom: true }), 400, 'invalid_thread', '"also to room" without a thread')
    refused(t, await post(B, secret, { text: 'x', replyTo: elsewhere.id }), 403, 'not_a_member', 'a reply in a private room one is not in')
    const gone = (await post(A, 'general', { text: 'oops' })).body.message
    await A(`/api/v1/rooms/general/messages/${gone.id}`, { method: 'DELETE' })
    refused(t, await post(A, 'general', { text: 'x', replyTo: gone.id }), 409, 'message_deleted', 'a reply to a deleted message')
    refused(
      t,
      await post(A, 'general', { text: 'x'.repeat(17 * 1024), replyTo: rootMsg.id }),
      413,
      'message_too_large',
      'an oversize reply',
    )
  })

  await t.test('a thread: out of the timeline, read from either machine, the root summed up live', async (t) => {
    const one = await post(B, 'general', { text: 'Pizza?', thread: rootMsg.id })
    t.equal(one.status, 201, 'bob replies in the thread')
    // A reply to a thread reply goes to the root (one level deep).
    const two = await post(Cc, 'general', { text: 'Sushi!', thread: one.body.message.id, alsoInRoom: true })
    t.match(two.body.message, { thread: rootMsg.id, alsoInRoom: true }, "carol's reply to bob's reply lands in the root's thread")
    const summary = await waitFor("the root's summary on bob's page", async () =>
      bobPage.events.find((e) => e.type === 'updated' && e.message.id === rootMsg.id && e.message.replies?.count === 2),
    )
    t.match(summary, { message: { replies: { count: 2, last: 'carol', people: ['alice', 'bob', 'carol'] } } }, '"2 replies, last by carol"')
    const thread = await waitFor('the thread on the relay', async () => {
      const r = await A(`/api/v1/rooms/general/messages/${one.body.message.id}/thread`)
      return r.body.replies?.length === 2 ? r.body : undefined
    })
    t.match(
      thread,
      { root: { id: rootMsg.id }, replies: [{ text: 'Pizza?' }, { text: 'Sushi!' }], hasOlder: false },
      'a reply opens its root thread',
    )
    const paged = await B(`/api/v1/rooms/general/messages/${rootMsg.id}/thread?limit=1`)
    t.match(paged.body, { replies: [{ text: 'Sushi!' }], hasOlder: true }, 'paged: the newest, and there is more')
    const texts = (await B('/api/v1/rooms/general/messages')).body.messages.map((m: { text: string }) => m.text)
    t.notOk(texts.includes('Pizza?'), 'a thread reply is not in the timeline')
    t.ok(texts.includes('Sushi!'), 'one also sent to the room is')
    refused(t, await B(`/api/v1/rooms/${secret}/messages/${elsewhere.id}/thread`), 403, 'not_a_member', 'a thread in a room one is not in')
    refused(t, await B('/api/v1/rooms/general/messages/AAAAAAAAAAAAAAAA/thread'), 404, 'unknown_message', 'a thread of nothing')
  })

  await t.test('pins: any member, listed for everyone, unpinned by deleting', async (t) => {
    const pin = (f: typeof A, room: string, id: string, on: boolean) =>
      f(`/api/v1/rooms/${room}/messages/${id}/pin`, { method: 'PUT', json: { on } })
    const pinned = await pin(B, 'general', rootMsg.id, true)
    t.match(pinned.body.message, { id: rootMsg.id, pinned: { by: 'bob' } }, "bob pins alice's message")
    const listed = await waitFor('the pin on the relay', async () => {
      const r = await A('/api/v1/rooms/general/pins')
      return r.body.pins?.length === 1 ? r.body.pins : undefined
    })
    t.match(listed, [{ id: rootMsg.id, text: 'Where do we eat?\nSecond line' }], 'alice sees it in the list')
    t.match((await A('/api/v1/rooms/general')).body.room, { pins: 1 }, 'the room counts it')
    refused(t, await pin(B, 'general', elsewhere.id, true), 404, 'unknown_message', "a pin of another room's message")
    refused(t, await pin(B, 'general', 'AAAAAAAAAAAAAAAA', true), 404, 'unknown_message', 'a pin of nothing')
    refused(t, await pin(B, secret, elsewhere.id, true), 403, 'not_a_member', 'a pin in a room one is not in')
    refused(
      t,
      await B(`/api/v1/rooms/general/messages/${rootMsg.id}/pin`, { method: 'PUT', json: { on: 'yes' } }),
      400,
      'bad_request',
      'a pin that is not on or off',
    )
    const mine = (await post(A, 'general', { text: 'pin me then delete me' })).body.message
    await pin(A, 'general', mine.id, true)
    t.equal((await A('/api/v1/rooms/general/pins')).body.pins.length, 2, 'two pinned')
    await A(`/api/v1/rooms/general/messages/${mine.id}`, { method: 'DELETE' })
    t.same(
      (await A('/api/v1/rooms/general/pins')).body.pins.map((m: { id: string }) => m.id),
      [rootMsg.id],
      'deleting a message unpins it',
    )
    t.notOk((await pin(A, 'general', rootMsg.id, false)).body.message.pinned, 'unpinned')
  })
})
