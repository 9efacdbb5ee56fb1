/**
 * The people directory (issue 17): `GET /api/v1/people` lists everyone with an account, online
 * or not, in name order, for a signed-in person only. (A real daemon on loopback, mDNS off.)
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { call, startLocalDaemon, waitFor } from './local-daemon.js'

const PASSWORD = 'lamp orbit velvet'

t.test('everyone with an account, online or not', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-people-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, join(root, 'one'), 'one')
  await waitFor('the relay', async () => (await call(daemon.ui, '/api/v1/status')).body.role === 'relay')
  for (const username of ['carol', 'Alice', 'bob']) {
    t.equal((await call(daemon.ui, '/api/v1/accounts', { json: { username, password: PASSWORD } })).status, 201)
  }
  const login = await call(daemon.ui, '/api/v1/sessions', { json: { username: 'bob', password: PASSWORD } })
  const token = login.body.token as string
  // Accounts replicate through the log: wait until all three are applied.
  await waitFor('three accounts', async () => (await call(daemon.ui, '/api/v1/people', { token })).body.people?.length === 3)
  const res = await call(daemon.ui, '/api/v1/people', { token })
  t.equal(res.status, 200)
  t.same(
    res.body,
    { people: [{ username: 'Alice' }, { username: 'bob' }, { username: 'carol' }], more: false },
    'in name order whatever the case, with their own spelling; alice and carol never logged in',
  )
  t.match(await call(daemon.ui, '/api/v1/people'), { status: 401, body: { error: { code: 'unauthenticated' } } }, 'signed-in people only')
})
