/**
 * Account keys through a real daemon (loopback, mDNS off): a data folder from before account
 * keys keeps its accounts and history; the person's next log-in gives their account keys, and
 * from then on what they post is signed; an unsigned entry in their name is refused. A weak
 * password is refused at sign-up in words. What reaches the log holds no password and no
 * private key in the clear.
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashPassword } from '../../../daemon/accounts/index.js'
import { Store } from '../../../daemon/store/index.js'
import { call, startLocalDaemon, waitFor } from './local-daemon.js'

const PASSWORD = 'an old and simple one'

t.test('an account from before account keys: kept, and given keys at its next log-in', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-keys-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const dataDir = join(root, 'old')
  const seeded = await Store.open(join(dataDir, 'db'))
  const password = await hashPassword(PASSWORD)
  await seeded.append([
    {
      id: 'old-account-1',
      ts: Date.now() - 60_000,
      origin: 'b0b0b0b0b0b0b0b0',
      seq: 1,
      term: 1,
      body: { type: 'account.created', username: 'olga', password },
    },
    {
      id: 'old-message-1',
      ts: Date.now() - 50_000,
      origin: 'b0b0b0b0b0b0b0b0',
      seq: 2,
      term: 1,
      body: { type: 'message.posted', room: 'general', author: 'olga', text: 'written before keys' },
    },
  ])
  await seeded.close()

  const daemon = await startLocalDaemon(t, dataDir, 'old')
  await waitFor('the relay', async () => (await call(daemon.ui, '/api/v1/status')).body.role === 'relay')
  t.equal(
    (await call(daemon.ui, '/api/v1/sessions', { json: { username: 'olga', password: 'not her password' } })).status,
    401,
    'the old verifier still says no to a wrong password',
  )
  const login = await call(daemon.ui, '/api/v1/sessions', { json: { username: 'olga', password: PASSWORD } })
  t.equal(login.status, 201, 'her password opens her account as before')
  const token = login.body.token as string
  const history = await call(daemon.ui, '/api/v1/rooms/general/messages', { token })
  t.same(
    history.body.messages.map((m: { text: string }) => m.text),
    ['written before keys'],
    'and her history is there',
  )
  const post = await call(daemon.ui, '/api/v1/rooms/general/messages', { token, json: { text: 'signed now' } })
  t.equal(post.status, 201, 'she posts')

  await daemon.stop()
  const store = await Store.open(join(dataDir, 'db'))
  t.teardown(() => store.close())
  const entries = await store.log.range(1, 10)
  const keys = entries.find((e) => e.body.type === 'account.keys')
  t.ok(keys, 'her log-in put her keys in the log')
  t.ok(keys?.sig, 'signed with them')
  const signedNow = entries.find((e) => e.body.type === 'message.posted' && e.body.text === 'signed now')
  t.ok(signedNow?.sig && signedNow.seq > (keys?.seq ?? Number.POSITIVE_INFINITY), 'her new message is signed, and ordered after her keys')
  t.notOk((await store.views.account('olga'))?.password, 'the replicated verifier is gone from the view')
  const everything = JSON.stringify(entries)
  t.notOk(everything.includes(PASSWORD), 'no password in the log')
})

t.test('sign-up refuses a weak password in words, and takes a strong one', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-keys-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, join(root, 'new'), 'new')
  const weak = await call(daemon.ui, '/api/v1/accounts', { json: { username: 'nina', password: 'password1' } })
  t.equal(weak.status, 400)
  t.match(
    weak.body,
    { error: { code: 'weak_password', message: /commonly used password.*Three or four words/ } },
    'with the reason and what would do',
  )
  const strong = await call(daemon.ui, '/api/v1/accounts', { json: { username: 'nina', password: 'lamp orbit velvet' } })
  t.equal(strong.status, 201, 'a passphrase is taken')
  const login = await call(daemon.ui, '/api/v1/sessions', { json: { username: 'nina', password: 'lamp orbit velvet' } })
  t.equal(login.status, 201, 'and opens her account')
  const wrong = await call(daemon.ui, '/api/v1/sessions', { json: { username: 'nina', password: 'lamp orbit velveT' } })
  const nobody = await call(daemon.ui, '/api/v1/sessions', { json: { username: 'nobody', password: 'lamp orbit velvet' } })
  t.same([wrong.status, wrong.body.error.code], [401, 'wrong_credentials'], 'a wrong password')
  t.same([nobody.status, nobody.body.error.code], [401, 'wrong_credentials'], 'and an unknown name get the same answer')
})

t.test('a new password: the keys wrapped anew, the old password opens nothing, open sessions go on', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sochat-keys-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, join(root, 'pw'), 'pw')
  await waitFor('the relay', async () => (await call(daemon.ui, '/api/v1/status')).body.role === 'relay')
  t.equal((await call(daemon.ui, '/api/v1/accounts', { json: { username: 'paul', password: 'lamp orbit velvet' } })).status, 201)
  const first = (await call(daemon.ui, '/api/v1/sessions', { json: { username: 'paul', password: 'lamp orbit velvet' } })).body
    .token as string
  const change = (current: string, next: string) =>
    call(daemon.ui, '/api/v1/me/password', { token: first, method: 'PUT', json: { current, next } })

  t.match(
    (await change('lamp orbit velveT', 'harbor quilt comet')).body,
    { error: { code: 'wrong_credentials' } },
    'a wrong current password changes nothing',
  )
  t.match((await change('lamp orbit velvet', 'password1')).body, { error: { code: 'weak_password' } }, 'a weak new one is refused')
  t.equal((await change('lamp orbit velvet', 'harbor quilt comet')).status, 204, 'the change is in the log')

  const logIn = (password: string) => call(daemon.ui, '/api/v1/sessions', { json: { username: 'paul', password } })
  t.equal((await logIn('lamp orbit velvet')).status, 401, 'the old password opens nothing now')
  t.equal((await logIn('harbor quilt comet')).status, 201, 'the new one does')
  const post = await call(daemon.ui, '/api/v1/rooms/general/messages', { token: first, json: { text: 'still me' } })
  t.equal(post.status, 201, 'a session from before the change still signs: the keys are the same')
  const tries: number[] = []
  for (let i = 0; i < 10; i++) tries.push((await change('harbor quilt comet', 'password1')).status)
  t.ok(tries.includes(429), `guessing the current password through a stolen session is rate limited like log-in (${tries.join(', ')})`)
})
