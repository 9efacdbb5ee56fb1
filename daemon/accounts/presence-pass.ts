/**
 * Making and checking presence passes (shared/presence.ts says what they are for). A pass is
 * signed with the person's Ed25519 key while their keys are open for a request; the relay
 * checks it against the account's published key and the machine whose link it came on.
 */
import { sign } from 'node:crypto'
import { PASS_LIFETIME_MS, passText, type AccountKeys, type PresencePass } from '../../shared/index.js'
import { type AccountSecrets, signingKeyOf, wipe } from './keys.js'
import { openForSession } from './session-keys.js'
import type { SessionInfo } from './sessions.js'
import { verifyHere } from './verify-pool.js'

export function makePass(username: string, machine: string, secrets: AccountSecrets, keys: AccountKeys, now = Date.now()): PresencePass {
  const claim = { username, machine, until: now + PASS_LIFETIME_MS }
  const sig = sign(null, Buffer.from(passText(claim), 'utf8'), signingKeyOf(secrets.sign, keys.sign)).toString('base64url')
  return { ...claim, sig }
}

export type PassVerdict = { ok: true } | { ok: false; reason: 'expired' | 'other_machine' | 'bad_signature' }

/** Whether `pass` is `signKey`'s owner's, for `machine`, and still good at `now`. */
export function checkPass(pass: PresencePass, signKey: string, machine: string, now = Date.now()): PassVerdict {
  if (pass.machine !== machine) return { ok: false, reason: 'other_machine' }
  // Past its end, or further ahead than a pass is ever made for (a clock set far ahead).
  if (pass.until <= now || pass.until > now + 2 * PASS_LIFETIME_MS) return { ok: false, reason: 'expired' }
  if (!verifyHere({ text: passText(pass), key: signKey, sig: pass.sig })) return { ok: false, reason: 'bad_signature' }
  return { ok: true }
}

/**
 * A pass signed with the keys a session holds, opened with the secret its page came with and
 * wiped at once; null for a session without keys (an account from before them) or one the
 * secret does not open.
 */
export function passForSession(session: SessionInfo, secret: string, machine: string, now = Date.now()): PresencePass | null {
  const { sealedKeys, publicKeys } = session
  if (!sealedKeys || !publicKeys) return null
  const secrets = openForSession(sealedKeys, secret)
  if (!secrets) return null
  try {
    return makePass(session.username, machine, secrets, publicKeys, now)
  } finally {
    wipe(secrets)
  }
}
