/**
 * The local API of a real daemon on loopback, mDNS off: sign-up, log-in, posting and reading
 * messages, and every guard in front of them (auth, CSRF, Host, Origin, body limits, the log-in
 * rate limit). A second daemon that knows the first only as a static peer joins it as a client:
 * what is posted on one is read on the other, and an account made on one logs in on the other.
 */
import t from 'tap'
import { createHash, createPublicKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import type { Message, SessionResponse, Status } from '../../../shared/index.js'
import type { RunningDaemon } from '../../../daemon/index.js'
import { KEY_FILE, formatFingerprint } from '../../../daemon/identity/index.js'
import { call, rawCall, startLocalDaemon, waitFor, type Call, type Owner, type Reply } from './local-daemon.js'

type Asserts = { same: (a: unknown, b: unknown, m: string) => boolean; equal: (a: unknown, b: unknown, m: string) => boolean }
const root = t.testdir()
const start = (owner: Owner, name: string, peer: string[] = []) => startLocalDaemon(owner, join(root, name), name, peer)

const status = async (d: RunningDaemon): Promise<Status> => (await call(d.ui, '/api/v1/status')).body
const MESSAGES = '/api/v1/rooms/general/messages'
const signUp = (d: RunningDaemon, username: string, password = 'correct horse') =>
  call(d.ui, '/api/v1/accounts', { json: { username, password } })
const logIn = (d: RunningDaemon, username: string, password = 'correct horse') =>
  call(d.ui, '/api/v1/sessions', { json: { username, password } })
const messages = async (d: RunningDaemon, token: string): Promise<Message[]> =>
  (await call(d.ui, `${MESSAGES}?limit=500`, { token })).body.messages

let first: RunningDaemon
let alice: SessionResponse
let count = 0

/** The request was refused with this status and code, and wrote nothing. */
async function refused(tt: Asserts, reply: Reply, status: number, code: string, what: string) {
  tt.same([reply.status, reply.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
  tt.equal((await messages(first, alice.token)).length, count, `${what}: no message was written`)
}

// The daemons belong to this test, so they are stopped when it ends (the root test only ends
// when the event loop is empty, which running daemons prevent).
t.test('the local API', async (t) => {
  first = await start(t, 'first')

  t.test('a daemon alone elects itself relay and takes sign-ups', async (t) => {
    const s = await waitFor('the first daemon to become relay', async () => {
      const s = await status(first)
      return s.role === 'relay' && s
    })
    t.equal(s.relayId, first.nodeId)
    // The key file's public key, hashed here: the status shows this machine's own key.
    const spki = createPublicKey(await readFile(join(root, 'first', KEY_FILE), 'utf8')).export({ type: 'spki', format: 'der' })
    const sha256 = createHash('sha256').update(spki).digest('hex')
    t.equal(s.fingerprint, formatFingerprint(sha256), 'the fingerprint is of the key in the data folder')
    t.equal(s.nodeId, sha256.slice(0, 16), 'and the node id follows from it')
    t.ok(s.term >= 1, 'in a term')
    const created = await signUp(first, 'alice')
    t.same([created.status, created.body], [201, { username: 'alice' }], 'alice signs up: 201')
    const login = await logIn(first, 'alice')
    t.equal(login.status, 201, 'alice logs in')
    alice = login.body
    t.match(alice, { username: 'alice', token: /^[\w-]{40,}$/, csrfToken: /^[\w-]{20,}$/ })
    const cookie = login.headers.getSetCookie().join('\n')
    t.notMatch(cookie, alice.token, 'the session cookie does not carry the bearer token (auth.test.ts)')
    t.match(cookie, /HttpOnly/i, 'the cookie is HttpOnly')
    t.match(cookie, /SameSite=Strict/i, 'and SameSite=Strict')
    t.same(await messages(first, alice.token), [], 'no messages yet')
  })

  t.test('sign-up and log-in refuse what they must', async (t) => {
    await refused(t, await signUp(first, 'ALICE', 'another password'), 409, 'username_taken', 'a name taken in another case')
    await refused(t, await signUp(first, 'a'), 400, 'invalid_username', 'a one-letter name')
    await refused(t, await signUp(first, 'bob smith'), 400, 'invalid_username', 'a name with a space')
    await refused(t, await signUp(first, 'Here'), 400, 'username_reserved', 'the word of @here')
    await refused(t, await signUp(first, 'bob', 'short'), 400, 'invalid_password', 'a short password')
    await refused(t, await signUp(first, 'bob', 'x'.repeat(257)), 400, 'invalid_password', 'a 257-character password')
    const longName = await signUp(first, 'b'.repeat(65))
    t.equal(longName.body?.error?.code, 'invalid_username', 'a 65-character name is invalid_username too')
    await refused(t, await logIn(first, 'alice', 'correct horsE'), 401, 'wrong_credentials', 'a wrong password')
    await refused(t, await logIn(first, 'nobody'), 401, 'wrong_credentials', 'an unknown name')
  })

  t.test('a message posted with a token reads back byte-identical', async (t) => {
    const text = 'hello 👋🏽 <b>x</b> & "quotes" \u200b 日本語'
    const posted = await call(first.ui, MESSAGES, { token: alice.token, json: { text } })
    t.equal(posted.status, 201, 'posted: 201')
    t.match(posted.body, { state: 'sent', message: { author: 'alice', room: 'general', text, seq: Number } })
    count = 1
    const [got] = await messages(first, alice.token)
    t.equal(got?.id, posted.body.message.id, 'the same message comes back')
    t.ok(Buffer.from(got!.text).equals(Buffer.from(text)), 'with its text byte for byte')
  })

  t.test('bad messages and unauthenticated writes are refused and write nothing', async (t) => {
    const post = (c: Call) => call(first.ui, MESSAGES, { token: alice.token, ...c })
    await refused(t, await post({ json: { text: '' } }), 400, 'empty_message', 'an empty message')
    await refused(t, await post({ json: { text: ' \n\t ' } }), 400, 'empty_message', 'a blank message')
    await refused(t, await post({ json: { text: 'x'.repeat(17 * 1024) } }), 413, 'message_too_large', 'a 17 KiB message')
    await refused(t, await post({ json: { text: '👋'.repeat(4097) } }), 413, 'message_too_large', '16 KiB + 4 bytes of emoji')
    await refused(t, await post({ json: { text: 'x'.repeat(200 * 1024) } }), 413, 'message_too_large', 'a 200 KiB body')
    const under = await post({ json: { text: 'x'.repeat(100 * 1024) } }) // over PostMessage's 64 Ki, under the 128 KiB body limit
    t.same([under.status, under.body?.error?.code], [413, 'message_too_large'], 'a 100 KiB message is message_too_large too')
    await refused(t, await post({ raw: '{"text": "unfinished' }), 400, 'bad_request', 'malformed JSON')
    await refused(t, await post({ json: { text: 42 } }), 400, 'bad_request', 'a text that is not a string')
    await refused(t, await post({ json: { text: 'hi' }, token: '' }), 401, 'unauthenticated', 'no credentials')
    await refused(t, await post({ json: { text: 'hi' }, token: 'x'.repeat(43) }), 401, 'unauthenticated', 'a made-up token')
    await refused(
      t,
      await call(first.ui, '/api/v1/rooms/random/messages', { token: alice.token, json: { text: 'hi' } }),
      404,
      'unknown_room',
      'another room',
    )
    t.equal((await call(first.ui, MESSAGES)).status, 401, 'reading needs a session too')
  })

  t.test('the cookie works only with the CSRF token', async (t) => {
    const login = await logIn(first, 'alice')
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
    const viaCookie = (headers: Record<string, string>) =>
      call(first.ui, MESSAGES, { json: { text: 'via cookie' }, headers: { cookie, ...headers } })
    await refused(t, await viaCookie({}), 403, 'csrf_failed', 'the cookie without X-CSRF-Token')
    await refused(t, await viaCookie({ 'x-csrf-token': alice.csrfToken }), 403, 'csrf_failed', 'another session’s CSRF token')
    const ok = await viaCookie({ 'x-csrf-token': login.body.csrfToken })
    t.equal(ok.status, 201, 'the cookie with its CSRF token posts')
    count++
    const read = await call(first.ui, `${MESSAGES}?limit=500`, { headers: { cookie } })
    t.equal(read.body?.error?.code, 'csrf_failed', 'a read needs the CSRF token too')
    const proven = await call(first.ui, `${MESSAGES}?limit=500`, { headers: { cookie, 'x-csrf-token': login.body.csrfToken } })
    t.equal(proven.body.messages.length, count, 'and reads with it')
  })

  t.test('foreign hosts and origins are refused', async (t) => {
    const url = new URL(first.ui)
    const body = JSON.stringify({ text: 'from a foreign page' })
    const write = (headers: Record<string, string>) =>
      rawCall(first.ui, MESSAGES, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${alice.token}`, ...headers }, body)
    await refused(
      t,
      await rawCall(first.ui, '/api/v1/status', 'GET', { host: 'evil.example' }),
      403,
      'forbidden_host',
      'Host: evil.example',
    )
    await refused(t, await write({ host: 'evil.example' }), 403, 'forbidden_host', 'a write with Host: evil.example')
    await refused(
      t,
      await write({ host: `localhost.evil.example:${url.port}` }),
      403,
      'forbidden_host',
      'a host that starts with localhost',
    )
    await refused(t, await write({ origin: 'http://evil.example' }), 403, 'forbidden_origin', 'Origin: http://evil.example')
    await refused(t, await write({ origin: `http://localhost.evil.example:${url.port}` }), 403, 'forbidden_origin', 'a look-alike origin')
    t.equal((await rawCall(first.ui, '/api/v1/status', 'GET', { host: `localhost:${url.port}` })).status, 200, 'Host: localhost is fine')
    t.equal((await write({ origin: `http://${url.host}` })).status, 201, 'our own origin may write')
    count++
  })

  t.test('the page is served with a strict CSP', async (t) => {
    const page = await fetch(`${first.ui}/`)
    await page.arrayBuffer()
    const csp = page.headers.get('content-security-policy') ?? ''
    for (const rule of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) {
      t.match(csp, rule, `CSP has ${rule}`)
    }
    t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'no unsafe sources')
    t.equal(page.headers.get('x-content-type-options'), 'nosniff')
  })

  t.test('log-out ends the session', async (t) => {
    const extra = (await logIn(first, 'alice')).body as SessionResponse
    const out = await call(first.ui, '/api/v1/sessions/current', { method: 'DELETE', token: extra.token })
    t.equal(out.status, 204, 'logged out')
    t.equal((await call(first.ui, '/api/v1/sessions/current', { token: extra.token })).status, 401, 'the token no longer works')
    await refused(
      t,
      await call(first.ui, MESSAGES, { token: extra.token, json: { text: 'ghost' } }),
      401,
      'unauthenticated',
      'a write with it',
    )
    t.equal((await call(first.ui, '/api/v1/sessions/current', { token: alice.token })).status, 200, 'another session of alice still works')
  })

  t.test('a second daemon with a static peer joins the first as client', async (t) => {
    const { peerPort } = first.status()
    const second = await start(t, 'second', [`127.0.0.1:${peerPort}`])
    const s = await waitFor('the second daemon to become client of the first', async () => {
      const s = await status(second)
      return s.role === 'client' && s.relayId === first.nodeId && s
    })
    t.equal(s.relayId, first.nodeId, 'its relay is the first daemon')
    await waitFor('the second daemon to catch up', async () => (await status(second)).head >= (await status(first)).head)
    const login = await logIn(second, 'alice')
    t.equal(login.status, 201, 'alice, who signed up on the first, logs in on the second')
    const text = 'sent from the second 🛰️'
    const posted = await call(second.ui, MESSAGES, { token: login.body.token, json: { text } })
    t.equal(posted.status, 201, 'posting on the second is confirmed by the relay')
    const seen = await waitFor('the message on the first daemon', async () =>
      (await messages(first, alice.token)).find((m) => m.id === posted.body.message.id),
    )
    t.match(seen, { text, author: 'alice', seq: posted.body.message.seq }, 'the first daemon has it')
    const mine = await messages(second, login.body.token)
    t.same(mine, await messages(first, alice.token), 'both daemons show the same timeline')
  })

  t.test('read positions: unread counts messages by others and follows the account to another machine', async (t) => {
    const { peerPort } = first.status()
    const other = await start(t, 'reader', [`127.0.0.1:${peerPort}`])
    await waitFor('the reader daemon to join', async () => (await status(other)).role === 'client')
    t.equal((await signUp(first, 'carol')).status, 201, 'carol signs up')
    const carol = (await logIn(first, 'carol')).body as SessionResponse
    const READ = '/api/v1/rooms/general/read'
    const before = await call(first.ui, READ, { token: carol.token })
    const history = await messages(first, alice.token)
    t.ok(history.length > 0, 'there is history from before carol')
    t.same(before.body, { seq: (await status(first)).head, unread: 0 }, 'a new reader starts where she joined: old history is not unread')
    await call(first.ui, MESSAGES, { token: alice.token, json: { text: 'welcome carol' } })
    t.same((await call(first.ui, READ, { token: carol.token })).body.unread, 1, 'a message by someone else after that is')
    const mine = await call(first.ui, MESSAGES, { token: carol.token, json: { text: 'carol here' } })
    t.same((await call(first.ui, READ, { token: carol.token })).body.unread, 1, 'her own message does not count')
    const last = mine.body.message.seq as number
    const marked = await call(first.ui, READ, { method: 'PUT', token: carol.token, json: { seq: last } })
    t.equal(marked.status, 204, 'marking read answers 204')
    const there = (await logIn(other, 'carol')).body as SessionResponse
    const pos = await waitFor('the mark to reach the other machine', async () => {
      const r = (await call(other.ui, READ, { token: there.token })).body
      return r.seq === last && r
    })
    t.same(pos, { seq: last, unread: 0 }, 'on the other machine carol has nothing unread')
    await call(first.ui, MESSAGES, { token: alice.token, json: { text: 'one more for carol' } })
    await waitFor('one unread on the other machine', async () => (await call(other.ui, READ, { token: there.token })).body.unread === 1)
    const back = await call(other.ui, READ, { method: 'PUT', token: there.token, json: { seq: 1 } })
    t.equal(back.status, 204, 'an older position is accepted but changes nothing')
    t.equal((await call(other.ui, READ, { token: there.token })).body.seq, last, 'the read position never moves back')
    count = (await messages(first, alice.token)).length
    await refused(
      t,
      await call(first.ui, READ, { method: 'PUT', token: carol.token, json: { seq: -1 } }),
      400,
      'bad_request',
      'a negative seq',
    )
  })

  t.test('log-in is rate limited: 429 after 10 attempts', async (t) => {
    // A daemon of its own: its limiter has seen no other log-in.
    const third = await start(t, 'third')
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const r = await logIn(third, 'mallory', `guess number ${i}`)
      statuses.push(r.status)
      if (i === 10) t.equal(r.body?.error?.code, 'rate_limited', 'the 11th answer is rate_limited')
    }
    t.same(statuses, [...Array(10).fill(401), 429], '10 wrong guesses, then 429')
    // docs/API.md: "10 attempts a minute per client and username".
    const other = await logIn(third, 'alice', 'correct horse')
    t.equal(other.status, 401, 'guesses at mallory do not lock out another name (alice gets 401, not 429)')
  })

  t.test('a stopped daemon no longer answers on its UI port', async (t) => {
    const last = await start({ teardown: () => undefined }, 'last')
    t.equal((await call(last.ui, '/api/v1/status')).status, 200, 'it answers while running')
    await last.stop()
    // A new connection (agent: false), so no kept-alive socket from before stop() is reused.
    const after = await new Promise<string>((resolve) => {
      request(`${last.ui}/api/v1/status`, { agent: false }, (res) => {
        res.resume()
        resolve(`HTTP ${res.statusCode}`)
      })
        .on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
        .end()
    })
    t.equal(after, 'ECONNREFUSED', 'after stop() the connection is refused')
  })
})
