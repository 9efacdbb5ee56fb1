/**
 * Accounts for tests that build log entries by hand: real keys and real signatures, so the
 * relay and replicas check them as they would any other; the wrapping is random bytes of the
 * right shape (no password opens it), which saves the 0.3 s of scrypt a real one costs. Tests
 * that log in use `Accounts.newAccountEntry`, which wraps for real.
 */
import { randomBytes } from 'node:crypto'
import type { AccountCreated, EntryBody, Signable, Submission } from '../../shared/index.js'
import { type AccountSecrets, signEntry } from '../../daemon/accounts/index.js'
import { newAccountSecrets, publicKeysOf } from '../../daemon/accounts/keys.js'

export interface TestAccount {
  username: string
  secrets: AccountSecrets
  /** Its `account.created`, with its public keys and an unopenable wrapping. */
  created: AccountCreated
  /** `s` signed by this account. */
  sign<T extends Signable>(s: T): T & { sig: string }
}

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url')

export function testAccount(username: string): TestAccount {
  const secrets = newAccountSecrets()
  const created: AccountCreated = {
    type: 'account.created',
    username,
    keys: publicKeysOf(secrets),
    wrapped: { kdf: { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: b64(16) }, aead: 'aes-256-gcm', nonce: b64(12), sealed: b64(80) },
  }
  return { username, secrets, created, sign: (s) => ({ ...s, sig: signEntry(s, secrets) }) }
}

/** A submission of `body` from `origin`, signed by `account`. */
export function signedSubmission(account: TestAccount, id: string, body: EntryBody, origin = '0123456789abcdef', ts = Date.now()): Submission {
  return account.sign({ id, ts, origin, body })
}
