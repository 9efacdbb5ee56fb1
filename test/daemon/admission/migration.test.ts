/**
 * A data folder from before networks had keys: the first upgraded machine founds the keyed
 * network with the log it has (nothing of its history is lost, its accounts still log in),
 * and `sochat network-key` then has a key to hand to the next machine.
 */
import { access, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { call, startLocalDaemon, waitFor } from '../http/local-daemon.js'

t.test('a machine with history and no key founds the network with that history', async (t) => {
  // Short, so the unix socket's path fits (about 100 bytes at most); tap's testdir is too deep.
  const dataDir = await mkdtemp(join(tmpdir(), 'sochat-old-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = await startLocalDaemon({ teardown: () => undefined }, dataDir, 'old-host')
  await waitFor('a relay', async () => first.status().role === 'relay')
  t.equal((await call(first.ui, '/api/v1/accounts', { json: { username: 'alice', password: 'old password 1' } })).status, 201)
  const session = await call(first.ui, '/api/v1/sessions', { json: { username: 'alice', password: 'old password 1' } })
  const token = session.body.token as string
  t.equal((await call(first.ui, '/api/v1/rooms/general/messages', { token, json: { text: 'from before the upgrade' } })).status, 201)
  const head = first.status().head
  await first.stop()

  // As a folder from the previous version looks: a log, a machine key, no network key.
  await rm(join(dataDir, 'network-key'))
  const upgraded = await startLocalDaemon(t, dataDir, 'old-host', [], { networkKeyFile: undefined })
  await waitFor(
    'the network to be founded',
    () =>
      access(join(dataDir, 'network-key')).then(
        () => true,
        () => false,
      ),
    15_000,
  )
  t.equal((await stat(join(dataDir, 'network-key'))).mode & 0o777, 0o600, 'a new network key, owner-only')
  t.equal(upgraded.status().head, head, 'the log is the one it had')
  const again = await call(upgraded.ui, '/api/v1/sessions', { json: { username: 'alice', password: 'old password 1' } })
  t.equal(again.status, 201, 'its accounts still log in')
  const messages = await call(upgraded.ui, '/api/v1/rooms/general/messages', { token: again.body.token as string })
  t.ok(
    (messages.body.messages as { text: string }[]).some((m) => m.text === 'from before the upgrade'),
    'and its messages are all there',
  )
})
