/**
 * What crosses machines without touching the log. Typing: a page on the client daemon says
 * its person is typing, and a page on the relay hears it within moments, and the other way
 * round; a link that floods typing frames has the excess dropped at the relay. Away: set by
 * hand on one machine, the other machine's status shows it, and only while it lasts.
 */
import { join } from 'node:path'
import t from 'tap'
import WebSocket from 'ws'
import type { UiEvent } from '../../../shared/index.js'
import { call, startLocalDaemon, waitFor } from './local-daemon.js'

const root = t.testdir()

/** A page's events socket for `token`, recording typing events. */
async function page(ui: string, token: string) {
  const ws = new WebSocket(`${ui.replace('http', 'ws')}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } })
  const typing: Extract<UiEvent, { type: 'typing' }>[] = []
  ws.on('message', (raw) => {
    const ev = JSON.parse(raw.toString()) as UiEvent
    if (ev.type === 'typing') typing.push(ev)
  })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return {
    ws,
    typing,
    say: (on: boolean) => ws.send(JSON.stringify({ type: 'typing', room: 'general', on })),
    away: (on: boolean) => ws.send(JSON.stringify({ type: 'away', on })),
  }
}

t.test('typing and away reach the other machine, both ways', async (t) => {
  const relay = await startLocalDaemon(t, join(root, 'relay'), 'relay')
  await waitFor('a relay', async () => (await call(relay.ui, '/api/v1/status')).body.role === 'relay')
  const client = await startLocalDaemon(t, join(root, 'client'), 'client', [`127.0.0.1:${relay.status().peerPort}`])
  await waitFor('the client to join', async () => (await call(client.ui, '/api/v1/status')).body.role === 'client')
  for (const username of ['alice', 'bob']) await call(relay.ui, '/api/v1/accounts', { json: { username, password: 'typing password' } })
  const token = async (ui: string, username: string) =>
    await waitFor(`${username} on ${ui}`, async () => {
      const r = await call(ui, '/api/v1/sessions', { json: { username, password: 'typing password' } })
      return r.status === 201 ? (r.body.token as string) : undefined
    })
  const alice = await page(relay.ui, await token(relay.ui, 'alice'))
  const bob = await page(client.ui, await token(client.ui, 'bob'))
  t.teardown(() => {
    alice.ws.close()
    bob.ws.close()
  })
  await new Promise((r) => setTimeout(r, 300)) // both pages registered

  bob.say(true)
  await waitFor('alice to hear bob typing', async () => alice.typing.find((e) => e.username === 'bob' && e.on))
  bob.say(false)
  await waitFor('alice to hear bob stop', async () => alice.typing.find((e) => e.username === 'bob' && !e.on))
  alice.say(true)
  await waitFor('bob to hear alice typing', async () => bob.typing.find((e) => e.username === 'alice' && e.on))
  t.same(
    alice.typing.map((e) => [e.room, e.username, e.on]),
    [
      ['general', 'bob', true],
      ['general', 'bob', false],
    ],
    'alice heard exactly bob start and stop',
  )

  const before = alice.typing.length
  for (let i = 0; i < 30; i++) bob.say(i % 2 === 0)
  await new Promise((r) => setTimeout(r, 1500))
  const passed = alice.typing.length - before
  t.ok(passed >= 1 && passed <= 8, `a burst of 30 is cut to a few a second (${passed} passed in at most two one-second windows)`)
  t.equal(
    (await call(relay.ui, '/api/v1/status')).body.head,
    (await call(client.ui, '/api/v1/status')).body.head,
    'nothing was written to the log',
  )

  const status = async (ui: string) => (await call(ui, '/api/v1/status')).body as { online: string[]; away: string[] }
  const first = await status(relay.ui)
  t.same([first.online, first.away], [['alice', 'bob'], []], 'both online, nobody away')
  bob.away(true)
  const seen = await waitFor('the relay to see bob away', async () =>
    (await status(relay.ui)).away.includes('bob') ? status(relay.ui) : undefined,
  )
  t.same([seen.online, seen.away], [['alice', 'bob'], ['bob']], 'bob is still online, and away')
  t.same((await status(client.ui)).away, ['bob'], 'his own machine agrees')
  bob.away(false)
  await waitFor('bob back', async () => (await status(relay.ui)).away.length === 0)
  t.same((await status(client.ui)).away, [], 'bob is back on both machines')
})
