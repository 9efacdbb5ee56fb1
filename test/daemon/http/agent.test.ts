/**
 * The tray's API on a real daemon: only the holder of the agent secret file gets in (not a
 * page's session, not a wrong secret); the secret is private and kept across restarts; the
 * live feed follows log-ins, messages and Do not disturb; bad input is refused and changes
 * nothing. Also the one frame a page may send on its events socket.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import WebSocket from 'ws'
import { AGENT_SECRET_FILE, type DesktopState } from '../../../shared/index.js'
import { call, startLocalDaemon, waitFor } from './local-daemon.js'

const root = t.testdir()

/** A feed of agent states, with a way to wait for one that matches. */
function agentFeed(ui: string, secret: string) {
  const states: DesktopState[] = []
  const ws = new WebSocket(`${ui.replace('http', 'ws')}/api/v1/agent/events`, { headers: { authorization: `Agent ${secret}` } })
  ws.on('message', (raw) => states.push((JSON.parse(raw.toString()) as { state: DesktopState }).state))
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  return {
    states,
    ws,
    closed,
    until: (what: string, pick: (s: DesktopState) => boolean) => waitFor(what, async () => states.find(pick), 10_000),
  }
}

t.test('the agent API', async (t) => {
  const dataDir = join(root, 'desk')
  const d = await startLocalDaemon(t, dataDir, 'desk')
  const file = join(dataDir, AGENT_SECRET_FILE)
  const secret = readFileSync(file, 'utf8').trim()
  t.equal(statSync(file).mode & 0o777, 0o600, 'the secret file is readable by its owner only')
  t.match(secret, /^[A-Za-z0-9_-]{43}$/, '256 random bits')
  const agent = { authorization: `Agent ${secret}` }
  // Alone on its (non-)network, the daemon makes itself relay after the discovery window.
  await waitFor('the daemon to become relay', async () => (await call(d.ui, '/api/v1/status')).body.role === 'relay')

  await call(d.ui, '/api/v1/accounts', { json: { username: 'alice', password: 'agent password' } })
  await call(d.ui, '/api/v1/accounts', { json: { username: 'bob', password: 'agent password' } })
  const alice = (await call(d.ui, '/api/v1/sessions', { json: { username: 'alice', password: 'agent password' } })).body.token as string

  await t.test('who gets in', async (t) => {
    for (const [what, headers] of [
      ['no credentials', {}],
      ['a page session', { authorization: `Bearer ${alice}` }],
      ['a wrong secret', { authorization: `Agent ${'x'.repeat(43)}` }],
      ['a truncated secret', { authorization: `Agent ${secret.slice(1)}` }],
    ] as const) {
      const r = await call(d.ui, '/api/v1/agent/state', { headers })
      t.same([r.status, r.body.error.code], [401, 'unauthenticated'], `${what}: 401`)
    }
    const ok = await call(d.ui, '/api/v1/agent/state', { headers: agent })
    t.match(ok.body, { role: 'relay', relayName: 'desk', account: 'alice', unread: 0, dnd: false, ui: d.ui })
    const refused = agentFeed(d.ui, 'not the secret')
    t.equal(await refused.closed, 4401, 'the feed without the secret closes with 4401')
  })

  await t.test('the feed follows log-ins, messages and Do not disturb', async (t) => {
    const feed = agentFeed(d.ui, secret)
    t.teardown(() => feed.ws.close())
    await feed.until('the first state', (s) => s.account === 'alice')
    await call(d.ui, '/api/v1/sessions', { json: { username: 'bob', password: 'agent password' } })
    await feed.until('bob at the desktop', (s) => s.account === 'bob')
    await call(d.ui, '/api/v1/rooms/general/messages', { json: { text: 'hi bob' }, token: alice })
    const unread = await feed.until('one unread for bob', (s) => s.unread === 1)
    t.match(unread, { account: 'bob', unread: 1, dnd: false })
    const on = await call(d.ui, '/api/v1/agent/dnd', { method: 'PUT', json: { on: true }, headers: agent })
    t.match(on.body, { dnd: true })
    t.match(await feed.until('dnd on the feed', (s) => s.dnd), { dnd: true, unread: 1 })
  })

  await t.test('bad Do not disturb requests are refused and change nothing', async (t) => {
    for (const body of [{ on: 'yes' }, {}, { on: 1 }]) {
      const r = await call(d.ui, '/api/v1/agent/dnd', { method: 'PUT', json: body, headers: agent })
      t.same([r.status, r.body.error.code], [400, 'bad_request'], `${JSON.stringify(body)}: 400`)
    }
    const page = await call(d.ui, '/api/v1/agent/dnd', { method: 'PUT', json: { on: false }, token: alice })
    t.equal(page.status, 401, 'a page session cannot change it')
    t.match((await call(d.ui, '/api/v1/agent/state', { headers: agent })).body, { dnd: true }, 'still on')
  })

  await t.test('a page may say whether it is watched; anything else closes its socket', async (t) => {
    const open = (frame: string) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`${d.ui.replace('http', 'ws')}/api/v1/events`, { headers: { authorization: `Bearer ${alice}` } })
        ws.on('open', () => {
          ws.send(frame)
          setTimeout(() => {
            resolve('open')
            ws.close()
          }, 300)
        })
        ws.on('close', (code) => resolve(code))
      })
    t.equal(await open(JSON.stringify({ type: 'attention', watching: true })), 'open', 'an attention frame is accepted')
    t.equal(await open('{"type":"attention","watching":"very"}'), 4400, 'a malformed one closes with 4400')
    t.equal(await open('not json'), 4400, 'so does junk')
  })
})

t.test('the secret is kept across a restart, so a running tray gets back in', async (t) => {
  const dataDir = join(root, 'again')
  const first = await startLocalDaemon({ teardown: () => {} }, dataDir, 'again')
  const before = readFileSync(join(dataDir, AGENT_SECRET_FILE), 'utf8')
  await first.stop()
  const second = await startLocalDaemon(t, dataDir, 'again')
  t.equal(readFileSync(join(dataDir, AGENT_SECRET_FILE), 'utf8'), before)
  t.equal((await call(second.ui, '/api/v1/agent/state', { headers: { authorization: `Agent ${before.trim()}` } })).status, 200)
})
