/** Accounts: rules, keys, signatures and local sessions. See README.md. */
import type { AccountCreated, AccountKeys, AccountKeysSet, Credentials, WrappedKeys } from '../../shared/index.js'
import { AuthError } from '../errors/index.js'
import type { Store } from '../store/index.js'
import { type AccountSecrets, newAccountSecrets, publicKeysOf, unwrapKeys, unwrapNothing, wipe, wrapKeys } from './keys.js'
import { verifyPassword } from './password.js'
import { checkPassword, checkUsername } from './rules.js'
import { Sessions, type IssuedSession } from './sessions.js'
import { checkStrength } from './strength.js'

export { checkPassword, checkUsername } from './rules.js'
export { hashPassword, verifyPassword } from './password.js'
export { Sessions, type IssuedSession, type SecretKind, type SessionInfo } from './sessions.js'
export { type AccountSecrets, wipe, WRAP_PARAMS } from './keys.js'
export {
  batchRules,
  checkBatch,
  checkSignature,
  signaturesHold,
  type BatchDue,
  signatureValid,
  signEntry,
  type BatchVerdict,
  type KeyDirectory,
  type LogDirectory,
  type SignatureVerdict,
} from './signatures.js'
export { verifyAll } from './verify-pool.js'
export { VerifyAhead } from './verify-ahead.js'
export { secretsSigner, sessionSigner, type Signer } from './signer.js'
export { checkPass, makePass, passForSession, type PassVerdict } from './presence-pass.js'
export { accountFingerprint, fingerprintOf } from './fingerprint.js'
export { sessionBoxKey } from './box-key.js'

/** An entry to submit, signed with `secrets`, which the caller wipes once it is submitted. */
export interface KeyedEntry<T> {
  body: T
  secrets: AccountSecrets
  keys: AccountKeys
}

export interface LoggedIn {
  session: IssuedSession
  /** An account from before account keys got them at this log-in: submit this (durable). */
  upgrade: KeyedEntry<AccountKeysSet> | null
}

export class Accounts {
  readonly sessions: Sessions
  readonly #upgrading = new Map<string, Promise<AccountKeysSet>>()
  constructor(private readonly store: Store) {
    this.sessions = new Sessions(store)
  }

  /** Checks the rules, makes the account's keys and wraps them; the relay decides whether the name is free. */
  async newAccountEntry(creds: Credentials): Promise<KeyedEntry<AccountCreated>> {
    const username = checkUsername(creds.username)
    const password = checkPassword(creds.password)
    await checkStrength(password, username)
    const secrets = newAccountSecrets()
    const keys = publicKeysOf(secrets)
    const body: AccountCreated = { type: 'account.created', username, keys, wrapped: await wrapKeys(secrets, password, username) }
    return { body, secrets, keys }
  }

  /**
   * Opens the account's keys with the password; that is the check. Every refusal costs one
   * scrypt at the wrapping's parameters, so its timing tells nothing about which names exist.
   */
  async logIn(creds: Credentials): Promise<LoggedIn> {
    const account = await this.store.views.account(creds.username)
    if (account?.keys && account.wrapped) return this.open(account.username, account.wrapped, account.keys, creds.password)
    // Keys made by a log-in here a moment ago, still on their way to the log: the same ones.
    const pending = account && (await this.#upgrading.get(account.username.toLowerCase())?.catch(() => null))
    if (pending && account?.password) return this.open(account.username, pending.wrapped, pending.keys, creds.password)
    if (!account?.password || !(await verifyPassword(creds.password, account.password))) {
      await unwrapNothing(creds.password)
      throw wrongCredentials()
    }
    return this.giveKeys(account.username, creds.password)
  }

  private async open(username: string, wrapped: WrappedKeys, keys: AccountKeys, password: string): Promise<LoggedIn> {
    const secrets = await unwrapKeys(wrapped, password, username, keys)
    if (!secrets) throw wrongCredentials()
    try {
      return { session: await this.sessions.issue(username, secrets, keys), upgrade: null }
    } finally {
      wipe(secrets)
    }
  }

  /**
   * An account from before account keys: its first log-in since makes them. Two log-ins of it
   * on this machine at once must not make two pairs (the second pair would be refused by the
   * relay and everything signed with it lost), so the second waits for the first's and opens
   * them with its own password; they are kept here until the log has them (ten minutes at most).
   */
  private async giveKeys(username: string, password: string): Promise<LoggedIn> {
    const key = username.toLowerCase()
    const earlier = this.#upgrading.get(key) // checked and set with no await between: one pair
    if (earlier) {
      const body = await earlier.catch(() => null)
      if (body) return this.open(username, body.wrapped, body.keys, password)
    }
    const secrets = newAccountSecrets()
    const keys = publicKeysOf(secrets)
    const making = wrapKeys(secrets, password, username).then(
      (wrapped): AccountKeysSet => ({ type: 'account.keys', username, keys, wrapped }),
    )
    this.#upgrading.set(key, making)
    setTimeout(() => this.#upgrading.get(key) === making && this.#upgrading.delete(key), 10 * 60_000).unref()
    const body = await making
    return { session: await this.sessions.issue(username, secrets, keys), upgrade: { body, secrets, keys } }
  }
}

/**
 * Wraps the account's keys under a new password: the same keys (sessions elsewhere go on
 * signing), a new salt and nonce. The current password must open them first. Signed with the
 * key the account has (rooms/rules.ts `accountKeys` takes no other keys).
 */
export async function rewrapKeys(
  store: Store,
  username: string,
  change: { current: string; next: string },
): Promise<KeyedEntry<AccountKeysSet>> {
  const account = await store.views.account(username)
  if (!account?.keys || !account.wrapped) {
    throw new AuthError('unauthenticated', 'Log in again first: this account gets its keys at its next log-in.')
  }
  const next = checkPassword(change.next)
  await checkStrength(next, account.username)
  const secrets = await unwrapKeys(account.wrapped, change.current, account.username, account.keys)
  if (!secrets) throw new AuthError('wrong_credentials', 'That is not your current password.')
  const body: AccountKeysSet = {
    type: 'account.keys',
    username: account.username,
    keys: account.keys,
    wrapped: await wrapKeys(secrets, next, account.username),
  }
  return { body, secrets, keys: account.keys }
}

function wrongCredentials(): AuthError {
  return new AuthError('wrong_credentials', 'Wrong username or password.')
}
