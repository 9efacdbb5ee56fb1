/**
 * A logged-in session's X25519 private key, for opening the room keys sealed to the person
 * (daemon/sealing): opened from the session record with the secret the request or page came
 * with, like the signing key (signer.ts). The caller wipes it (`fill(0)`) when done.
 */
import type { SessionInfo } from './sessions.js'
import { openForSession } from './session-keys.js'

/** The box key, or null for a session that holds no keys (one from before account keys) or that the secret does not open. */
export function sessionBoxKey(session: SessionInfo, secret: string): Buffer | null {
  if (!session.sealedKeys) return null
  const secrets = openForSession(session.sealedKeys, secret)
  if (!secrets) return null
  secrets.sign.fill(0)
  return secrets.box
}
