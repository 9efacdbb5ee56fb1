/**
 * Editing, deleting and reacting through the local API, and what open pages hear of it: the
 * author alone may change a message, a deleted message takes no more changes and keeps no
 * text, reactions count people once, and a private room's messages and changes reach only
 * its members' pages.
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

t.test('changing messages', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob', 'carol'])
  const A = (path: string, c: { method?: string; json?: unknown } = {}) => call(relay.ui, path, { token: aliceToken, ...c })
  const aliceToken = await token(relay.ui, 'alice')
  const bobToken = await token(client.ui, 'bob')
  const B = (path: string, c: { method?: string; json?: unknown } = {}) => call(client.ui, path, { token: bobToken, ...c })
  const bobPage = await page(client.ui, bobToken)
  const carolPage = await page(client.ui, await token(client.ui, 'carol'))
  t.teardown(() => {
    bobPage.close()
    carolPage.close()
  })

  const posted = await A('/api/v1/rooms/general/messages', { json: { text: 'lunch at 12?' } })
  const id = posted.body.message.id as string
  const at = `/api/v1/rooms/general/messages/${id}`
  await waitFor('the message on the client', async () => (await B('/api/v1/rooms/general/messages')).body.messages.length === 1)

  await t.test('the author edits; others see it edited', async (t) => {
    const edited = await A(at, { method: 'PUT', json: { text: 'lunch at 12:30?' } })
    t.equal(edited.status, 200, 'edited')
    t.match(edited.body.message, { text: 'lunch at 12:30?', edited: Number }, 'with the new text and when')
    const seen = await waitFor("bob's page to hear the edit", async () => bobPage.events.find((e) => e.type === 'updated'))
    t.match(seen, { type: 'updated', message: { id, text: 'lunch at 12:30?' } }, "bob's page gets the message as it is now")
    refused(t, await B(at, { method: 'PUT', json: { text: 'mine now' } }), 403, 'not_your_message', "bob editing alice's message")
    refused(t, await B(at, { method: 'DELETE' }), 403, 'not_your_message', 'bob deleting it')
    refused(t, await A(at, { method: 'PUT', json: { text: '  ' } }), 400, 'empty_message', 'an edit to nothing')
    refused(
      t,
      await A('/api/v1/rooms/general/messages/AAAAAAAAAAAAAAAA', { method: 'PUT', json: { text: 'x' } }),
      404,
      'unknown_message',
      'a message that does not exist',
    )
    t.equal((await B('/api/v1/rooms/general/messages')).body.messages[0].text, 'lunch at 12:30?', 'the refused ones changed nothing')
  })

  await t.test('reactions count each person once and can be taken back', async (t) => {
    const react = (f: typeof A, emoji: string, on: boolean) => f(`${at}/reaction`, { method: 'PUT', json: { emoji, on } })
    await react(A, '👍', true)
    await react(B, '👍', true)
    await react(B, '👍', true)
    const now = await react(B, '🎉', true)
    t.same(
      now.body.message.reactions,
      [
        { emoji: '👍', users: ['alice', 'bob'] },
        { emoji: '🎉', users: ['bob'] },
      ],
      'two thumbs, one party',
    )
    t.same(
      (await react(A, '👍', false)).body.message.reactions,
      [
        { emoji: '👍', users: ['bob'] },
        { emoji: '🎉', users: ['bob'] },
      ],
      'alice takes hers back',
    )
    refused(t, await react(A, 'lol', true), 400, 'invalid_reaction', 'letters')
    refused(t, await react(A, '1', true), 400, 'invalid_reaction', 'a digit (an emoji component, not an emoji)')
    t.equal((await react(A, '🇫🇷', true)).status, 200, 'a flag is one emoji')
  })

  await t.test('deleting keeps the place and drops the text; nothing more can change it', async (t) => {
    const gone = await A(at, { method: 'DELETE' })
    t.match(gone.body.message, { id, deleted: true, text: '' }, 'deleted')
    t.notOk(gone.body.message.reactions, 'with its reactions')
    await waitFor('the delete on the client', async () => (await B('/api/v1/rooms/general/messages')).body.messages[0].deleted)
    t.equal((await B('/api/v1/rooms/general/messages')).body.messages[0].text, '', 'the other machine keeps no text either')
    refused(t, await A(at, { method: 'PUT', json: { text: 'back' } }), 409, 'message_deleted', 'editing it')
    refused(t, await A(at, { method: 'DELETE' }), 409, 'message_deleted', 'deleting it again')
    refused(t, await B(`${at}/reaction`, { method: 'PUT', json: { emoji: '👍', on: true } }), 409, 'message_deleted', 'reacting to it')
  })

  await t.test("a private room's messages and changes reach only its members' pages", async (t) => {
    const room = (await A('/api/v1/rooms', { json: { name: 'pay', kind: 'private', invite: ['bob'] } })).body.room.id as string
    await waitFor('the room on the client', async () => (await B(`/api/v1/rooms/${room}`)).status === 200)
    const m = await B(`/api/v1/rooms/${room}/messages`, { json: { text: 'raise?' } })
    await B(`/api/v1/rooms/${room}/messages/${m.body.message.id}`, { method: 'PUT', json: { text: 'raises?' } })
    await waitFor("bob's page to hear his edit", async () => bobPage.events.find((e) => e.type === 'updated' && e.message.room === room))
    await A('/api/v1/rooms/general/messages', { json: { text: 'a public marker' } })
    await waitFor("carol's page to hear general", async () =>
      carolPage.events.find((e) => e.type === 'message' && e.message.text === 'a public marker'),
    )
    const leaked = carolPage.events.filter((e) => (e.type === 'message' || e.type === 'updated') && e.message.room === room)
    t.same(leaked, [], "carol's page heard nothing of it, though it heard general after it")
    t.ok(
      carolPage.events.some((e) => e.type === 'rooms'),
      'all pages were told the room list changed (it says nothing about which)',
    )
  })
})
