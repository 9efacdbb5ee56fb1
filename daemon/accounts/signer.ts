/**
 * Who signs a submission: a `Signer` is handed to the outbox, which calls it once the
 * submission has its id, time and origin (what is signed, shared/signing.ts). A session's
 * signer opens the person's keys from the session record with the secret the request came
 * with (session-keys.ts), signs, and wipes them: no private key stays in memory between
 * requests.
 */
import type { AccountKeys, Signable } from '../../shared/index.js'
import { AuthError } from '../errors/index.js'
import { type AccountSecrets, wipe } from './keys.js'
import { openForSession } from './session-keys.js'
import { signEntry } from './signatures.js'
import type { SessionInfo } from './sessions.js'

export type Signer = (s: Signable) => string

/** Signs with keys the caller holds (sign-up, the first log-in since account keys) and wipes. */
export function secretsSigner(secrets: AccountSecrets, keys: AccountKeys): Signer {
  return (s) => signEntry(s, secrets, keys)
}

/**
 * The signer of a logged-in request, or null for an account from before account keys whose
 * session holds none (its entries pass unsigned until its next log-in gives it keys). A session
 * signs with the keys it was given, even while its account's `account.keys` still waits for
 * the relay (`viewKeys`, the log's, is then absent); a session whose keys are not the log's (it
 * lost a race to give a legacy account keys, or began before its account had any) is told to
 * log in again rather than sign what the relay would refuse.
 */
export function sessionSigner(session: SessionInfo, secret: string, viewKeys: AccountKeys | undefined): Signer | null {
  const { sealedKeys: sealed, publicKeys: keys } = session
  if (!sealed || !keys) {
    if (!viewKeys) return null
    throw new AuthError('unauthenticated', 'Log in again: this session began before your account had its keys, so it cannot sign for you.')
  }
  if (viewKeys && viewKeys.sign !== keys.sign) {
    throw new AuthError('unauthenticated', "Log in again: your account's keys are not the ones this session was given.")
  }
  return (s) => {
    const secrets = openForSession(sealed, secret)
    if (!secrets) throw new AuthError('unauthenticated', 'Log in again: this session cannot open your keys.')
    try {
      return signEntry(s, secrets, keys)
    } finally {
      wipe(secrets)
    }
  }
}
