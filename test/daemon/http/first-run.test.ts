/**
 * A lone machine's first seconds: the daemon looks for other SO-CHAT machines before it takes
 * the relay's role (roles/coordinator.ts, DISCOVERY_WINDOW_MS), and the first thing its person
 * does, signing up, used to fail in that window with "No relay is reachable right now". Now
 * the sign-up waits for the relay and goes through, and so does the first message.
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Status } from '../../../shared/index.js'
import { call, startLocalDaemon } from './local-daemon.js'

t.test('signing up the moment a lone daemon answers: it waits for the relay and succeeds', async (t) => {
  // A short path: the daemon's control socket lives in its data folder (108 bytes at most).
  const root = mkdtempSync(join(tmpdir(), 'sochat-first-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, join(root, 'lone'), 'lone')
  const before: Status = (await call(daemon.ui, '/api/v1/status')).body
  t.not(before.role, 'relay', 'asked while the daemon was still looking for others (no relay yet)')
  const signUp = await call(daemon.ui, '/api/v1/accounts', { json: { username: 'first', password: 'first run password' } })
  t.equal(signUp.status, 201, `the account is made (${JSON.stringify(signUp.body)})`)
  t.equal((await call(daemon.ui, '/api/v1/status')).body.role, 'relay', 'by then this daemon is the relay')
  const logIn = await call(daemon.ui, '/api/v1/sessions', { json: { username: 'first', password: 'first run password' } })
  t.equal(logIn.status, 201, 'and its person logs in')
  const post = await call(daemon.ui, '/api/v1/rooms/general/messages', { token: logIn.body.token, json: { text: 'hello, anyone?' } })
  t.equal(post.status, 201, 'and posts')
})
