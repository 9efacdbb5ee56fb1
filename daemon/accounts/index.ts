/** Accounts: rules, keys, signatures and local sessions. See README.md. */
import type { AccountCreated, AccountKeys, AccountKeysSet, Credentials } from '../../shared/index.js'
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
  checkBatch,
  checkSignature,
  signatureValid,
  signEntry,
  type BatchVerdict,
  type KeyDirectory,
  type SignatureVerdict,
} from './signatures.js'
export { secretsSigner, sessionSigner, type Signer } from './signer.js'

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
    if (account?.keys && account.wrapped) {
      const secrets = await unwrapKeys(account.wrapped, creds.password, account.username, account.keys)
      if (!secrets) throw wrongCredentials()
      try {
        return { session: await this.sessions.issue(account.username, secrets), upgrade: null }
      } finally {
        wipe(secrets)
      }
    }
    if (!account?.password || !(await verifyPassword(creds.password, account.password))) {
      await unwrapNothing(creds.password)
      throw wrongCredentials()
    }
    // An account from before account keys: its first log-in since makes them.
    const secrets = newAccountSecrets()
    const keys = publicKeysOf(secrets)
    const body: AccountKeysSet = {
      type: 'account.keys',
      username: account.username,
      keys,
      wrapped: await wrapKeys(secrets, creds.password, account.username),
    }
    return { session: await this.sessions.issue(account.username, secrets), upgrade: { body, secrets, keys } }
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
