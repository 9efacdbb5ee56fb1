/**
 * The cookie is useless outside the page (auth.ts): a browser sends the cookie of 127.0.0.1 to
 * every port of 127.0.0.1, so these tests play the process on another port that received it
 * and replays it as it likes — as a bearer token, alone, with the page's Origin, over the live
 * feed. Only the CSRF token, which stays in the page's origin, makes it work; a file and a
 * profile picture are the documented exception. Bearer scripts work as before.
 */
import t from 'tap'
import { join } from 'node:path'
import sharp from 'sharp'
import WebSocket from 'ws'
import type { SessionResponse } from '../../../shared/index.js'
import { call, startLocalDaemon, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()
const MESSAGES = '/api/v1/rooms/general/messages'

type Asserts = { same: (a: unknown, b: unknown, m: string) => boolean }
function answered(t: Asserts, r: Reply, status: number, code: string | undefined, what: string): void {
  t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status}${code ? ` ${code}` : ''}`)
}

/** The first frame, or the close code if the socket closes before one arrives. */
function firstFrameOrClose(ws: WebSocket): Promise<{ frame?: { type: string }; closed?: number }> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve({ frame: JSON.parse(String(data)) }))
    ws.once('close', (code) => resolve({ closed: code }))
    ws.once('error', reject)
  })
}

t.test('the session cookie outside the page', async (t) => {
  const d = await startLocalDaemon(t, join(root, 'd'), 'd')
  await waitFor('a relay', async () => (await call(d.ui, '/api/v1/status')).body.role === 'relay')
  await call(d.ui, '/api/v1/accounts', { json: { username: 'alice', password: 'correct horse' } })
  const login = await call(d.ui, '/api/v1/sessions', { json: { username: 'alice', password: 'correct horse' } })
  const session: SessionResponse = login.body
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
  const cookieValue = cookie.slice(cookie.indexOf('=') + 1)
  const csrf = session.csrfToken
  const page = new URL(d.ui).origin
  // What the thief sends along: the page's own Origin, since it is not a browser.
  const asThief = (extra: Record<string, string> = {}) => ({ cookie, origin: page, ...extra })

  t.test('the cookie and the bearer token are different secrets', async (t) => {
    t.ok(cookieValue.length >= 40, 'the cookie has a secret')
    t.not(cookieValue, session.token, 'which is not the bearer token')
    t.notOk(JSON.stringify(login.body).includes(cookieValue), 'and is nowhere in the log-in answer')
    answered(t, await call(d.ui, '/api/v1/rooms', { token: cookieValue }), 401, 'unauthenticated', 'the cookie value as Bearer')
    answered(
      t,
      await call(d.ui, '/api/v1/sessions/current', {
        headers: { cookie: `${cookie.split('=')[0]}=${session.token}`, 'x-csrf-token': csrf },
      }),
      401,
      'unauthenticated',
      'the bearer token as the cookie, even with the CSRF token',
    )
  })

  t.test('every cookie request needs X-CSRF-Token, GETs too', async (t) => {
    for (const path of ['/api/v1/rooms', '/api/v1/sessions/current', MESSAGES, '/api/v1/avatars']) {
      answered(t, await call(d.ui, path, { headers: asThief() }), 403, 'csrf_failed', `GET ${path} with the cookie alone`)
      answered(
        t,
        await call(d.ui, path, { headers: asThief({ 'x-csrf-token': 'x'.repeat(csrf.length) }) }),
        403,
        'csrf_failed',
        `GET ${path} with a wrong token`,
      )
      answered(
        t,
        await call(d.ui, path, { headers: asThief({ 'x-csrf-token': csrf }) }),
        200,
        undefined,
        `GET ${path} with the cookie and its token`,
      )
    }
    const current = await call(d.ui, '/api/v1/sessions/current', { headers: { cookie, 'x-csrf-token': csrf } })
    t.same(current.body, { username: 'alice', csrfToken: csrf }, 'the page restores its session with the token it kept')
  })

  t.test('the live feed with the cookie must prove the CSRF token as a subprotocol', async (t) => {
    const url = `${d.ui.replace('http', 'ws')}/api/v1/events`
    const bare = new WebSocket(url, { headers: asThief() })
    t.same(await firstFrameOrClose(bare), { closed: 4401 }, 'the cookie and the page’s Origin alone: closed 4401')
    const wrong = new WebSocket(url, ['sochat', `sochat.csrf.${'x'.repeat(csrf.length)}`], { headers: asThief() })
    t.same(await firstFrameOrClose(wrong), { closed: 4401 }, 'a wrong token: closed 4401')
    const proven = new WebSocket(url, ['sochat', `sochat.csrf.${csrf}`], { headers: asThief() })
    t.teardown(() => proven.close())
    const got = await firstFrameOrClose(proven)
    t.equal(got.frame?.type, 'status', 'with the token: the status, as any page gets')
    t.equal(proven.protocol, 'sochat', 'the server chose the plain subprotocol and did not echo the token')
  })

  t.test('a file and a profile picture: the cookie alone is enough (img src, download links)', async (t) => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#39e' } })
      .png()
      .toBuffer()
    const token = session.token
    const started = await call(d.ui, '/api/v1/uploads', { token, json: { name: 'p.png', size: png.length, mime: 'image/png' } })
    await fetch(`${d.ui}/api/v1/uploads/${started.body.id}`, {
      method: 'PATCH',
      body: new Uint8Array(png),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    })
    const file = (await call(d.ui, `/api/v1/uploads/${started.body.id}/finish`, { token, method: 'POST' })).body.file
    const posted = await call(d.ui, MESSAGES, { token, json: { text: 'a picture', files: [file] } })
    t.equal(posted.status, 201, 'a message with a picture')
    const path = `${MESSAGES}/${posted.body.message.id}/files/${file.sha256}`
    const bytes = await fetch(`${d.ui}${path}?size=thumbnail`, { headers: asThief() })
    t.equal(bytes.status, 200, 'its thumbnail with the cookie alone')
    t.equal((await fetch(`${d.ui}${path}`, { headers: asThief() })).status, 200, 'and its original')
    const set = await call(d.ui, '/api/v1/me/avatar', { token, method: 'PUT', json: { sha256: file.sha256 } })
    t.equal(set.status, 201, 'alice sets a profile picture')
    const avatar = await fetch(`${d.ui}/api/v1/avatars/alice`, { headers: asThief() })
    t.equal(avatar.status, 200, 'her picture by name with the cookie alone')
    t.equal(avatar.headers.get('content-type'), 'image/webp')
    answered(t, await call(d.ui, path, { headers: { origin: page } }), 401, 'unauthenticated', 'the file without the cookie')
    answered(
      t,
      await call(d.ui, '/api/v1/me/avatar', { headers: asThief(), method: 'DELETE' }),
      403,
      'csrf_failed',
      'removing the picture with the cookie alone',
    )
  })

  t.test('Bearer scripts work as documented', async (t) => {
    const posted = await call(d.ui, MESSAGES, { token: session.token, json: { text: 'build is green ✅' } })
    t.equal(posted.status, 201, 'a script posts with its bearer token and no CSRF token')
    const read = await call(d.ui, `${MESSAGES}?limit=20`, { token: session.token })
    t.equal(read.body.messages.at(-1)?.text, 'build is green ✅', 'and reads')
    const ws = new WebSocket(`${d.ui.replace('http', 'ws')}/api/v1/events`, { headers: { authorization: `Bearer ${session.token}` } })
    t.teardown(() => ws.close())
    t.equal((await firstFrameOrClose(ws)).frame?.type, 'status', 'and opens the live feed with it')
  })

  t.test('log-out from the page ends the bearer token of the same log-in', async (t) => {
    const out = await call(d.ui, '/api/v1/sessions/current', { method: 'DELETE', headers: { cookie, origin: page, 'x-csrf-token': csrf } })
    t.equal(out.status, 204, 'logged out with the cookie')
    answered(t, await call(d.ui, '/api/v1/rooms', { token: session.token }), 401, 'unauthenticated', 'its bearer token')
    answered(t, await call(d.ui, '/api/v1/rooms', { headers: { cookie, 'x-csrf-token': csrf } }), 401, 'unauthenticated', 'and its cookie')
  })
})
