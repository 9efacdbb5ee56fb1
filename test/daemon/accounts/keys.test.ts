/**
 * An account's keys and their wrapping: made fresh per account, wrapped with the password
 * (scrypt, then AES-256-GCM) into an entry that holds neither the password nor a key in the
 * clear, opened by the right password only, bound to its account, and checked against the
 * account's published keys. A person's keys kept for a session open only with that session's
 * secret.
 */
import t from 'tap'
import type { AccountKeys, WrappedKeys } from '../../../shared/index.js'
import { WrappedKeys as WrappedSchema } from '../../../shared/index.js'
import { newAccountSecrets, publicKeysOf, unwrapKeys, WRAP_PARAMS, wipe, wrapKeys } from '../../../daemon/accounts/keys.js'
import { openForSession, sealForSession } from '../../../daemon/accounts/session-keys.js'

const PASSWORD = 'lamp orbit velvet'

t.test('wrapped keys open with the password, and only with it', async (t) => {
  const secrets = newAccountSecrets()
  const keys: AccountKeys = publicKeysOf(secrets)
  const wrapped = await wrapKeys(secrets, PASSWORD, 'alice')
  t.ok(WrappedSchema.safeParse(wrapped).success, 'the wrapping has the shape the log takes')
  t.match(wrapped.kdf, { algo: 'scrypt', N: 2 ** 17, r: 8, p: 1 }, 'scrypt at N = 2^17, r = 8 (128 MiB a guess)')
  t.same(wrapped.kdf, { ...WRAP_PARAMS, salt: wrapped.kdf.salt })
  const text = JSON.stringify(wrapped)
  t.notOk(
    text.includes(secrets.sign.toString('base64url')) || text.includes(secrets.box.toString('base64url')),
    'no private key in the clear',
  )
  t.notOk(text.includes('lamp'), 'nor the password')

  const opened = await unwrapKeys(wrapped, PASSWORD, 'alice', keys)
  t.ok(opened?.sign.equals(secrets.sign) && opened.box.equals(secrets.box), 'the right password gives back both keys')
  t.equal(await unwrapKeys(wrapped, 'lamp orbit velveT', 'alice', keys), null, 'a wrong password gives nothing')
  t.equal(await unwrapKeys(wrapped, PASSWORD, 'bob', keys), null, 'a wrapping copied onto another account does not open')
  const other = publicKeysOf(newAccountSecrets())
  t.equal(await unwrapKeys(wrapped, PASSWORD, 'alice', other), null, 'a wrapping of keys other than the published ones is refused')
})

t.test('tampered wrappings are refused, not half opened', async (t) => {
  const secrets = newAccountSecrets()
  const keys = publicKeysOf(secrets)
  const wrapped = await wrapKeys(secrets, PASSWORD, 'alice')
  const flip = (b64: string) => {
    const bytes = Buffer.from(b64, 'base64url')
    bytes[5] = (bytes[5] ?? 0) ^ 1
    return bytes.toString('base64url')
  }
  const tampered: WrappedKeys[] = [
    { ...wrapped, sealed: flip(wrapped.sealed) },
    { ...wrapped, nonce: flip(wrapped.nonce) },
    { ...wrapped, kdf: { ...wrapped.kdf, salt: flip(wrapped.kdf.salt) } },
  ]
  for (const w of tampered) t.equal(await unwrapKeys(w, PASSWORD, 'alice', keys), null)
})

t.test('every account gets its own keys; wipe leaves zeros', async (t) => {
  const a = newAccountSecrets()
  const b = newAccountSecrets()
  t.not(publicKeysOf(a).sign, publicKeysOf(b).sign)
  t.not(publicKeysOf(a).box, publicKeysOf(b).box)
  wipe(a)
  t.ok(a.sign.every((x) => x === 0) && a.box.every((x) => x === 0), 'both private keys are zeros')
})

t.test("a session's copy of the keys opens only with that session's secret", async (t) => {
  const secrets = newAccountSecrets()
  const secret = 'x'.repeat(43)
  const sealed = sealForSession(secrets, secret)
  t.notOk(sealed.includes(secrets.sign.toString('base64url')), 'sealed')
  const opened = openForSession(sealed, secret)
  t.ok(opened?.sign.equals(secrets.sign) && opened.box.equals(secrets.box), 'its own secret opens it')
  t.equal(openForSession(sealed, 'y'.repeat(43)), null, "another session's secret does not")
  t.equal(openForSession(sealed.slice(0, -4), secret), null, 'a truncated copy does not')
  t.not(sealForSession(secrets, secret), sealed, 'a fresh nonce each time')
})

t.test('a burst of log-ins runs two scrypts at a time, and every one is answered', async (t) => {
  const secrets = newAccountSecrets()
  const keys = publicKeysOf(secrets)
  const wrapped = await wrapKeys(secrets, PASSWORD, 'alice')
  const { memoryUsage } = process
  const before = memoryUsage().rss
  let peak = before
  const watch = setInterval(() => (peak = Math.max(peak, memoryUsage().rss)), 5)
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => unwrapKeys(wrapped, i % 2 ? PASSWORD : 'wrong one', 'alice', keys)))
  clearInterval(watch)
  t.same(
    answers.map((a) => a !== null),
    [false, true, false, true, false, true, false, true],
    'each answered by its own password',
  )
  // Eight at once would take 8 × 128 MiB; two at a time stays under four of them.
  t.ok(peak - before < 4 * 128 * 1024 * 1024, `memory grew by ${Math.round((peak - before) / 2 ** 20)} MiB, not eight scrypts' worth`)
})
