/**
 * Accounts: who may sign up with what, how passwords are kept (scrypt, a salt per hash), and
 * this machine's sessions, whose tokens are only ever stored as hashes.
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { PASSWORD_MAX, PASSWORD_MIN, type Entry } from '../../../shared/index.js'
import { Accounts, checkPassword, checkUsername, hashPassword, verifyPassword } from '../../../daemon/accounts/index.js'
import { openForSession } from '../../../daemon/accounts/session-keys.js'
import { AuthError, InputError } from '../../../daemon/errors/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const PASSWORD = 'correct horse battery'

/** The code a rule check throws, or 'ok'. */
function ruling(check: () => unknown): string {
  try {
    check()
    return 'ok'
  } catch (err) {
    return err instanceof InputError ? err.code : `unexpected ${String(err)}`
  }
}

t.test('usernames: 3 to 32 letters, digits, dot, dash, underscore, not starting with a symbol', async (t) => {
  for (const name of ['abc', 'Alice', 'bob.smith', 'b-o_b', '007', 'x'.repeat(32), 'a..', 'A1_']) {
    t.equal(
      ruling(() => checkUsername(name)),
      'ok',
      `${JSON.stringify(name)} is allowed`,
    )
  }
  const refused = ['', 'ab', 'x'.repeat(33), '.abc', '-abc', '_abc', 'a b', 'ali@ce', 'zoë', 'émile', 'ab\n', 'abc/', '👋👋👋', 'ab\u0000c']
  for (const name of refused)
    t.equal(
      ruling(() => checkUsername(name)),
      'invalid_username',
      `${JSON.stringify(name)} is refused`,
    )
  t.equal(checkUsername('Alice'), 'Alice', 'the name keeps its case')
})

t.test('"room" and "here" are kept for @room and @here, in any case; names that contain them are not', async (t) => {
  for (const name of ['room', 'here', 'Room', 'HERE'])
    t.equal(
      ruling(() => checkUsername(name)),
      'username_reserved',
      `${name} is refused`,
    )
  for (const name of ['rooms', 'theroom', 'here.now', 'roomba'])
    t.equal(
      ruling(() => checkUsername(name)),
      'ok',
      `${name} is allowed`,
    )
})

t.test('passwords: 8 to 256 characters, counted in code points', async (t) => {
  t.equal(
    ruling(() => checkPassword('x'.repeat(PASSWORD_MIN))),
    'ok',
    '8 characters pass',
  )
  t.equal(
    ruling(() => checkPassword('x'.repeat(PASSWORD_MIN - 1))),
    'invalid_password',
    '7 characters are refused',
  )
  t.equal(
    ruling(() => checkPassword('x'.repeat(PASSWORD_MAX))),
    'ok',
    '256 characters pass',
  )
  t.equal(
    ruling(() => checkPassword('x'.repeat(PASSWORD_MAX + 1))),
    'invalid_password',
    '257 characters are refused',
  )
  // 7 emoji are 14 UTF-16 code units: a .length check would let them through.
  t.equal(
    ruling(() => checkPassword('🔑'.repeat(7))),
    'invalid_password',
    '7 emoji are 7 characters, too short',
  )
  t.equal(
    ruling(() => checkPassword('🔑'.repeat(8))),
    'ok',
    '8 emoji are enough',
  )
  // 256 emoji are 512 code units: still 256 characters.
  t.equal(
    ruling(() => checkPassword('🔑'.repeat(PASSWORD_MAX))),
    'ok',
    '256 emoji pass',
  )
  t.equal(
    ruling(() => checkPassword('🔑'.repeat(PASSWORD_MAX + 1))),
    'invalid_password',
    '257 emoji are refused',
  )
})

t.test('scrypt hashes: the right password verifies, a wrong one does not, salts differ', async (t) => {
  const password = 'correct horse 🐴'
  const a = await hashPassword(password)
  t.match(a, { algo: 'scrypt', N: Number, r: Number, p: Number, salt: String, hash: String })
  t.notOk(JSON.stringify(a).includes(password), 'the hash does not contain the password')
  t.equal(await verifyPassword(password, a), true, 'the right password verifies')
  t.equal(await verifyPassword('correct horse 🐎', a), false, 'a wrong password does not')
  t.equal(await verifyPassword('', a), false, 'an empty password does not')
  const b = await hashPassword(password)
  t.not(a.salt, b.salt, 'every hash gets its own salt')
  t.not(a.hash, b.hash, 'so the same password hashes differently')
  t.equal(await verifyPassword(password, b), true, 'and both verify')
  // The same text typed on a keyboard that composes differently (NFD) is the same password.
  const e = await hashPassword('caf\u00e9-latte')
  t.equal(await verifyPassword('cafe\u0301-latte', e), true, 'NFC and NFD spellings verify alike')
})

async function storeWithAccounts(t: { testdir: () => string; teardown: (fn: () => unknown) => void }) {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const accounts = new Accounts(store)
  const { body, secrets } = await accounts.newAccountEntry({ username: 'Alice', password: PASSWORD })
  const entry: Entry = { id: 'acct-alice-1', ts: Date.now(), origin: NODE, body, seq: 1, term: 1 }
  await store.append([entry])
  return { store, accounts, keys: { sign: secrets.sign, box: secrets.box } }
}

t.test('a new account entry carries public keys and wrapped private ones, never the password', async (t) => {
  const { accounts } = await storeWithAccounts(t)
  const { body, secrets } = await accounts.newAccountEntry({ username: 'bob', password: 'lamp orbit velvet' })
  t.equal(body.type, 'account.created')
  t.equal(body.username, 'bob')
  t.match(body, {
    keys: { sign: /^[\w-]{43}$/, box: /^[\w-]{43}$/ },
    wrapped: { kdf: { algo: 'scrypt', N: 2 ** 17 }, aead: 'aes-256-gcm' },
  })
  t.notOk('password' in body, 'no replicated password verifier')
  t.notOk(JSON.stringify(body).includes('lamp'), 'no password in the entry')
  t.notOk(JSON.stringify(body).includes(secrets.sign.toString('base64url')), 'no private key in the clear')
  await t.rejects(accounts.newAccountEntry({ username: 'b', password: 'lamp orbit velvet' }), { code: 'invalid_username' })
  await t.rejects(accounts.newAccountEntry({ username: 'bob', password: 'short' }), { code: 'invalid_password' })
  await t.rejects(accounts.newAccountEntry({ username: 'bob', password: 'password1' }), { code: 'weak_password', message: /commonly used/ })
})

t.test('log-in is opening the keys with the password', async (t) => {
  const { store, accounts, keys } = await storeWithAccounts(t)
  const { session, upgrade } = await accounts.logIn({ username: 'Alice', password: PASSWORD })
  t.equal(upgrade, null, 'an account with keys needs nothing more')
  t.equal(session.username, 'Alice')
  t.match(session, { token: /^[A-Za-z0-9_-]{40,}$/, csrfToken: /^[A-Za-z0-9_-]{20,}$/, createdAt: Number })
  const found = await accounts.sessions.lookup('bearer', session.token)
  const opened = found?.sealedKeys ? openForSession(found.sealedKeys, session.token) : null
  t.ok(opened?.sign.equals(keys.sign), "the session holds alice's signing key, sealed with its own secret")
  const lower = await accounts.logIn({ username: 'alice', password: PASSWORD })
  t.equal(lower.session.username, 'Alice', 'the name is found regardless of case and comes back as created')
  t.not(lower.session.token, session.token, 'every log-in gets its own token')

  const wrong = accounts.logIn({ username: 'Alice', password: 'correct horsE battery' })
  await t.rejects(wrong, { code: 'wrong_credentials' }, 'a wrong password is refused')
  await wrong.catch((err) => t.ok(err instanceof AuthError, 'as an AuthError'))
  await t.rejects(
    accounts.logIn({ username: 'mallory', password: PASSWORD }),
    { code: 'wrong_credentials' },
    'an unknown name gets the same answer',
  )
  const everything: string[] = []
  for await (const [, value] of store.db.iterator({ valueEncoding: 'utf8' })) everything.push(String(value))
  t.notOk(
    everything.some((v) => v.includes(keys.sign.toString('base64url'))),
    'the private key is nowhere in the database in the clear',
  )
})

/** A store whose only account, olga, is from before account keys (a password verifier, "old and simple"). */
async function storeWithOlga(t: { testdir: () => string; teardown: (fn: () => unknown) => void }) {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const password = await hashPassword('old and simple')
  await store.append([
    { id: 'acct-olga-1', ts: 1, origin: NODE, body: { type: 'account.created', username: 'olga', password }, seq: 1, term: 1 },
  ])
  return { store, accounts: new Accounts(store) }
}

t.test('an account from before account keys gets them at its next log-in', async (t) => {
  const { accounts } = await storeWithOlga(t)
  await t.rejects(
    accounts.logIn({ username: 'olga', password: 'old and simplE' }),
    { code: 'wrong_credentials' },
    'the old verifier still decides',
  )
  const { session, upgrade } = await accounts.logIn({ username: 'olga', password: 'old and simple' })
  t.equal(session.username, 'olga')
  t.match(
    upgrade?.body,
    { type: 'account.keys', username: 'olga', keys: { sign: String, box: String }, wrapped: { aead: 'aes-256-gcm' } },
    'her keys, to submit',
  )
  t.notOk(JSON.stringify(upgrade?.body).includes('old and simple'))
  const found = await accounts.sessions.lookup('bearer', session.token)
  t.ok(
    found?.sealedKeys && openForSession(found.sealedKeys, session.token)?.sign.equals(upgrade?.secrets.sign ?? Buffer.alloc(0)),
    'and the session can sign with them',
  )
})

t.test('sessions: issued, looked up, revoked', async (t) => {
  const { store, accounts } = await storeWithAccounts(t)
  const issued = await accounts.sessions.issue('Alice')
  const info = { username: 'Alice', csrfToken: issued.csrfToken, createdAt: issued.createdAt } // issued without keys: none sealed
  t.same(await accounts.sessions.lookup('bearer', issued.token), info, 'the bearer token finds its session')
  t.same(await accounts.sessions.lookup('cookie', issued.cookie), info, 'the cookie secret finds the same session')
  t.not(issued.cookie, issued.token, 'the cookie secret is not the bearer token')
  t.equal(await accounts.sessions.lookup('bearer', issued.cookie), undefined, 'the cookie secret is no bearer token')
  t.equal(await accounts.sessions.lookup('cookie', issued.token), undefined, 'the bearer token is no cookie secret')
  t.equal(
    await accounts.sessions.lookup('bearer', issued.token.slice(0, -1) + (issued.token.endsWith('A') ? 'B' : 'A')),
    undefined,
    'a token one character off finds nothing',
  )
  t.equal(await accounts.sessions.lookup('bearer', ''), undefined, 'an empty token finds nothing')
  t.equal(await accounts.sessions.lookup('bearer', 'x'.repeat(10_000)), undefined, 'a huge token finds nothing')

  const other = await accounts.sessions.issue('Alice')
  await accounts.sessions.revoke('bearer', issued.token)
  t.equal(await accounts.sessions.lookup('bearer', issued.token), undefined, 'a revoked token finds nothing')
  t.equal(await accounts.sessions.lookup('cookie', issued.cookie), undefined, 'and its cookie secret is revoked with it')
  t.ok(await accounts.sessions.lookup('bearer', other.token), 'the same user’s other session still works')
  const third = await accounts.sessions.issue('Alice')
  await accounts.sessions.revoke('cookie', third.cookie)
  t.equal(await accounts.sessions.lookup('bearer', third.token), undefined, 'log-out by the cookie ends the bearer token too')

  await store.close()
  const reopened = await Store.open(store.db.location)
  t.teardown(() => reopened.close())
  const again = new Accounts(reopened)
  t.ok(await again.sessions.lookup('bearer', other.token), 'a session survives a restart')
  t.ok(await again.sessions.lookup('cookie', other.cookie), 'its cookie too')
  t.equal(await again.sessions.lookup('bearer', issued.token), undefined, 'and a revoked one stays revoked')
})

t.test('a session from before the cookie had its own secret finds nothing', async (t) => {
  const { store, accounts } = await storeWithAccounts(t)
  // As stored before: keyed by the SHA-256 of the one token, which was also the cookie's value.
  const token = 'a'.repeat(43)
  const key = createHash('sha256').update(token).digest('base64url')
  await store.sessions.put(key, { username: 'Alice', csrfToken: 'c'.repeat(32), createdAt: Date.now() } as never)
  t.equal(await accounts.sessions.lookup('bearer', token), undefined, 'not as a bearer token')
  t.equal(await accounts.sessions.lookup('cookie', token), undefined, 'not as a cookie')
  t.equal(await accounts.sessions.latestUser(), null, 'and it is nobody’s desktop session')
})

t.test('only a hash of a session token is stored', async (t) => {
  const { store, accounts } = await storeWithAccounts(t)
  const issued = await Promise.all([1, 2, 3].map(() => accounts.sessions.issue('Alice')))
  const rows: string[] = []
  for await (const [key, value] of store.sessions.iterator()) rows.push(key, JSON.stringify(value))
  t.equal(rows.length, 12, 'three sessions are stored, two records (bearer and cookie) each')
  const everything: string[] = []
  for await (const [key, value] of store.db.iterator({ valueEncoding: 'utf8' })) everything.push(String(key), String(value))
  for (const token of issued.flatMap((s) => [s.token, s.cookie])) {
    t.notOk(
      rows.some((r) => r.includes(token)),
      'the secret is not in the sessions sublevel',
    )
    t.notOk(
      everything.some((r) => r.includes(token)),
      'nor anywhere else in the database',
    )
  }
})

t.test('two log-ins at once of an account from before account keys give it one pair of keys', async (t) => {
  const { accounts } = await storeWithOlga(t)
  const [a, b] = await Promise.all([0, 1].map(() => accounts.logIn({ username: 'olga', password: 'old and simple' })))
  const upgrades = [a, b].filter((l) => l?.upgrade)
  t.equal(upgrades.length, 1, 'one of them makes the keys')
  t.ok(a?.session.publicKeys?.sign, 'the sessions hold keys')
  t.same(a?.session.publicKeys, b?.session.publicKeys, 'and both sign with the same ones')
  const late = await accounts.logIn({ username: 'olga', password: 'old and simple' })
  t.same(late.session.publicKeys, a?.session.publicKeys, 'so does a third, while they are on their way to the log')
  await t.rejects(
    accounts.logIn({ username: 'olga', password: 'old and simplE' }),
    { code: 'wrong_credentials' },
    'and a wrong password opens nothing',
  )
})
