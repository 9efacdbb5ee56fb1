/**
 * Fingerprints and key notices through a real daemon (loopback, mDNS off): a person's own
 * fingerprint (`/me`), another's (`/people/NAME`) and every member's (`/members`) agree; an
 * account without keys says so (null). A password change (the same keys) brings no notice;
 * other keys for bob (written into the data folder while the daemon is stopped, as a relay or
 * a replaced folder would bring them) bring a notice into every room he is in, with his new
 * fingerprint, in the timeline's pages exactly once.
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashPassword } from '../../../daemon/accounts/index.js'
import { Store } from '../../../daemon/store/index.js'
import { testAccount } from '../../lib/accounts.js'
import { call, startLocalDaemon, waitFor } from './local-daemon.js'

const PASSWORD = 'lamp orbit velvet'
const FINGERPRINT = /^(\d{5} ){11}\d{5}$/

async function relayUp(ui: string): Promise<void> {
  await waitFor('the relay', async () => (await call(ui, '/api/v1/status')).body.role === 'relay')
}

async function logIn(ui: string, username: string, password = PASSWORD): Promise<string> {
  const r = await call(ui, '/api/v1/sessions', { json: { username, password } })
  if (r.status !== 201) throw new Error(`log-in of ${username}: ${r.status}`)
  return r.body.token as string
}

t.test('fingerprints in the API, and the notice when keys change', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-fingerprints-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const dataDir = join(root, 'one')
  // Stopped by hand half-way (its data folder is then changed); stopped at teardown only if the test failed before that.
  let stopFirst: (() => unknown) | undefined
  t.teardown(() => stopFirst?.())
  const first = await startLocalDaemon({ teardown: (fn) => (stopFirst = fn) }, dataDir, 'one')
  await relayUp(first.ui)
  for (const username of ['alice', 'bob']) {
    t.equal((await call(first.ui, '/api/v1/accounts', { json: { username, password: PASSWORD } })).status, 201)
  }
  const alice = await logIn(first.ui, 'alice')
  const room = (await call(first.ui, '/api/v1/rooms', { token: alice, json: { name: 'plans', kind: 'private', invite: ['bob'] } })).body
    .room.id as string
  for (const text of ['one', 'two', 'three']) await call(first.ui, '/api/v1/rooms/general/messages', { token: alice, json: { text } })

  const me = (await call(first.ui, '/api/v1/me', { token: alice })).body
  t.equal(me.username, 'alice')
  t.match(me.fingerprint, FINGERPRINT, 'my own fingerprint: 12 groups of 5 digits')
  const bobBefore = (await call(first.ui, '/api/v1/people/BOB', { token: alice })).body
  t.match(bobBefore, { username: 'bob', fingerprint: FINGERPRINT }, "another person's, found regardless of case")
  t.not(bobBefore.fingerprint, me.fingerprint, 'each account its own')
  const members = (await call(first.ui, `/api/v1/rooms/${room}/members`, { token: alice })).body
  t.same(
    members,
    { members: ['alice', 'bob'], fingerprints: { alice: me.fingerprint, bob: bobBefore.fingerprint }, profiles: {} },
    'members carry them',
  )
  t.match(await call(first.ui, '/api/v1/people/nobody', { token: alice }), { status: 404, body: { error: { code: 'not_found' } } })
  t.match(await call(first.ui, '/api/v1/people/no%20one', { token: alice }), { status: 400, body: { error: { code: 'invalid_username' } } })
  t.equal((await call(first.ui, '/api/v1/me')).status, 401, 'for a signed-in person only')

  const change = await call(first.ui, '/api/v1/me/password', {
    token: alice,
    method: 'PUT',
    json: { current: PASSWORD, next: 'harbor quilt comet' },
  })
  t.equal(change.status, 204, 'alice changes her password')
  const afterChange = (await call(first.ui, '/api/v1/rooms/general/messages', { token: alice })).body
  t.same(afterChange.notices, [], 'a password change keeps the keys: no notice')
  t.equal((await call(first.ui, '/api/v1/me', { token: alice })).body.fingerprint, me.fingerprint, 'and the same fingerprint')
  await first.stop()
  stopFirst = undefined

  // Other keys for bob, and an account from before account keys, straight into the log.
  const store = await Store.open(join(dataDir, 'db'))
  const last = (await store.log.range(store.log.head, 1))[0]!
  const bob = await store.views.account('bob')
  const other = testAccount('bob')
  const at = last.seq + 1
  await store.append([
    {
      id: 'keys-swapped-1',
      ts: Date.now(),
      origin: last.origin,
      seq: at,
      term: last.term,
      body: { type: 'account.keys', username: 'bob', keys: other.keys, wrapped: bob!.wrapped! },
    },
    {
      id: 'old-account-1',
      ts: Date.now(),
      origin: last.origin,
      seq: at + 1,
      term: last.term,
      body: { type: 'account.created', username: 'olga', password: await hashPassword('an old one') },
    },
  ])
  await store.close()

  const again = await startLocalDaemon(t, dataDir, 'one')
  await relayUp(again.ui)
  const token = await logIn(again.ui, 'alice', 'harbor quilt comet')
  const bobAfter = (await call(again.ui, '/api/v1/people/bob', { token })).body.fingerprint as string
  t.match(bobAfter, FINGERPRINT)
  t.not(bobAfter, bobBefore.fingerprint, "bob's fingerprint is another now")
  const notice = { seq: at, kind: 'keys.changed', username: 'bob', fingerprint: bobAfter }
  for (const r of ['general', room]) {
    const page = (await call(again.ui, `/api/v1/rooms/${r}/messages`, { token })).body
    t.match(page.notices, [{ room: r, ...notice }], `the notice is in ${r}'s timeline, with his new fingerprint`)
    t.equal(page.notices.length, 1)
  }
  const newest = (await call(again.ui, '/api/v1/rooms/general/messages?limit=2', { token })).body
  t.same(
    newest.messages.map((m: { text: string }) => m.text),
    ['two', 'three'],
  )
  t.equal(newest.notices.length, 1, 'the newest page has the notice (it is newer than its messages)')
  const older = (await call(again.ui, `/api/v1/rooms/general/messages?limit=2&before=${newest.messages[0].seq}`, { token })).body
  t.same(older.notices, [], 'and the page before it does not: each notice comes once')
  const everyone = (await call(again.ui, '/api/v1/rooms/general/members', { token })).body
  t.same(everyone.fingerprints, { alice: me.fingerprint, bob: bobAfter, olga: null }, 'an account without keys has none')
})
