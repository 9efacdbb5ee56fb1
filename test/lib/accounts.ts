/**
 * Accounts for tests that build log entries by hand: real keys and real signatures, so the
 * relay and replicas check them as they would any other; the wrapping is random bytes of the
 * right shape (no password opens it), which saves the 0.3 s of scrypt a real one costs. Tests
 * that log in use `Accounts.newAccountEntry`, which wraps for real.
 */
import { randomBytes } from 'node:crypto'
import { actorOf, type AccountCreated, type AccountKeys, type EntryBody, type Signable, type Submission } from '../../shared/index.js'
import { type AccountSecrets, signEntry } from '../../daemon/accounts/index.js'
import { newAccountSecrets, publicKeysOf } from '../../daemon/accounts/keys.js'

export interface TestAccount {
  username: string
  secrets: AccountSecrets
  keys: AccountKeys
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
  const keys = created.keys ?? publicKeysOf(secrets)
  return { username, secrets, keys, created, sign: (s) => ({ ...s, sig: signEntry(s, secrets, keys) }) }
}

/** A submission of `body` from `origin`, signed by `account`. */
export function signedSubmission(
  account: TestAccount,
  id: string,
  body: EntryBody,
  origin = '0123456789abcdef',
  ts = Date.now(),
): Submission {
  return account.sign({ id, ts, origin, body })
}

/**
 * Several people, each with keys; `sign` signs a submission as whoever it speaks for
 * (`actorOf`), as their daemon would, so a test can build submissions as before and sign them
 * on the way to the relay.
 */
export class TestPeople {
  readonly #people = new Map<string, TestAccount>()

  constructor(...names: string[]) {
    for (const name of names) this.#people.set(name.toLowerCase(), testAccount(name))
  }

  /** The person of that name (regardless of case, as accounts are), made on first use. */
  get(name: string): TestAccount {
    let person = this.#people.get(name.toLowerCase())
    if (!person) {
      person = testAccount(name)
      this.#people.set(name.toLowerCase(), person)
    }
    return person
  }

  /** Their `account.created`, with keys, spelled as asked. */
  created(name: string): AccountCreated {
    return { ...this.get(name).created, username: name }
  }

  sign<T extends Signable>(s: T): T & { sig: string } {
    return this.get(actorOf(s.body)).sign(s)
  }
}
