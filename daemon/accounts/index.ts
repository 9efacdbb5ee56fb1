/** Accounts: rules, hashing and local sessions. See README.md. */
import type { AccountCreated, Credentials } from '../../shared/index.js'
import { AuthError } from '../errors/index.js'
import type { Store } from '../store/index.js'
import { hashPassword, verifyPassword } from './password.js'
import { checkPassword, checkUsername } from './rules.js'
import { Sessions, type IssuedSession } from './sessions.js'

export { checkPassword, checkUsername } from './rules.js'
export { hashPassword, verifyPassword } from './password.js'
export { Sessions, type IssuedSession, type SecretKind, type SessionInfo } from './sessions.js'

export class Accounts {
  readonly sessions: Sessions
  constructor(private readonly store: Store) {
    this.sessions = new Sessions(store)
  }

  /** Checks the rules and hashes the password; the relay decides whether the name is free. */
  async newAccountEntry(creds: Credentials): Promise<AccountCreated> {
    const username = checkUsername(creds.username)
    const password = await hashPassword(checkPassword(creds.password))
    return { type: 'account.created', username, password }
  }

  async logIn(creds: Credentials): Promise<IssuedSession> {
    const account = await this.store.views.account(creds.username)
    // Hash even for an unknown name, so the answer's timing does not tell which names exist.
    // An unknown name costs a hash too, so the time taken does not tell which names exist.
    const ok = account ? await verifyPassword(creds.password, account.password) : await hashPassword(creds.password).then(() => false)
    if (!account || !ok) throw new AuthError('wrong_credentials', 'Wrong username or password.')
    return this.sessions.issue(account.username)
  }
}
