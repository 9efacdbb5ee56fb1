/**
 * A lone machine's first seconds. The daemon looks for other SO-CHAT machines before it takes
 * the relay's role (daemon/discovery/window.ts), and the first thing its person does, signing
 * up, needs a relay. With nothing to look with (mDNS off, no --peer) there is nothing to wait
 * for: the daemon is the relay by the time its page answers. While it does look (here, a
 * --peer that never answers keeps the whole window), a sign-up waits for the relay and goes
 * through rather than failing with "No relay is reachable right now".
 * The same with real mDNS, alone and two together: test/multihost/first-run.test.ts.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Status } from '../../../shared/index.js'
import { call, startLocalDaemon } from './local-daemon.js'

const PASSWORD = 'first run password'

function shortRoot(t: Test): string {
  // A short path: the daemon's control socket lives in its data folder (108 bytes at most).
  const root = mkdtempSync(join(tmpdir(), 'sochat-first-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  return root
}

async function signUpAndPost(t: Test, ui: string): Promise<void> {
  const signUp = await call(ui, '/api/v1/accounts', { json: { username: 'first', password: PASSWORD } })
  t.equal(signUp.status, 201, `the account is made (${JSON.stringify(signUp.body)})`)
  const logIn = await call(ui, '/api/v1/sessions', { json: { username: 'first', password: PASSWORD } })
  t.equal(logIn.status, 201, 'and its person logs in')
  const post = await call(ui, '/api/v1/rooms/general/messages', { token: logIn.body.token, json: { text: 'hello, anyone?' } })
  t.equal(post.status, 201, 'and posts')
}

t.test('mDNS off and no --peer: the relay by the time the page answers, so the first sign-up goes straight through', async (t) => {
  const daemon = await startLocalDaemon(t, join(shortRoot(t), 'lone'), 'lone')
  const before: Status = (await call(daemon.ui, '/api/v1/status')).body
  t.equal(before.role, 'relay', 'already the relay when first asked')
  await signUpAndPost(t, daemon.ui)
})

t.test('while the daemon still looks for others, a sign-up waits for the relay and succeeds', async (t) => {
  // 127.0.0.1:9 (discard) never answers as SO-CHAT: a named peer keeps the whole window.
  const daemon = await startLocalDaemon(t, join(shortRoot(t), 'looking'), 'looking', ['127.0.0.1:9'])
  const before: Status = (await call(daemon.ui, '/api/v1/status')).body
  t.not(before.role, 'relay', 'asked while the daemon was still looking for others (no relay yet)')
  await signUpAndPost(t, daemon.ui)
  t.equal((await call(daemon.ui, '/api/v1/status')).body.role, 'relay', 'by then this daemon is the relay')
})
