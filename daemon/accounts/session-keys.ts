/**
 * A logged-in person's private keys, kept for their session without keeping them in the clear.
 * The daemon signs for the person on every change they make, so it needs the keys for as long
 * as they stay logged in, across daemon restarts; but a session record on disk must not be
 * a copy of them. So each session record holds them sealed with that record's secret (the
 * bearer token or the cookie secret), which only the client has; the record is found by the
 * secret's SHA-256 (sessions.ts):
 *
 *   key    = HKDF-SHA256(ikm: secret, salt: none, info: context) → 32 bytes   (RFC 5869)
 *   sealed = nonce (12 random bytes) ‖ AES-256-GCM(key, nonce, Ed25519 seed ‖ X25519 key) ‖ tag
 *
 * A request opens them for as long as it signs, then wipes them (signer.ts). Log-out deletes
 * the records.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { AccountSecrets } from './keys.js'

const CONTEXT = 'SO-CHAT session keys v1'

function keyFor(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), CONTEXT, 32))
}

export function sealForSession(secrets: AccountSecrets, secret: string): string {
  const key = keyFor(secret)
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  const plain = Buffer.concat([secrets.sign, secrets.box])
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()])
  plain.fill(0)
  key.fill(0)
  return sealed.toString('base64url')
}

/** The keys, or null if `sealed` was not made with this secret (or was damaged). */
export function openForSession(sealed: string, secret: string): AccountSecrets | null {
  const bytes = Buffer.from(sealed, 'base64url')
  if (bytes.length !== 12 + 64 + 16) return null
  const key = keyFor(secret)
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12))
  decipher.setAuthTag(bytes.subarray(-16))
  try {
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()])
    const secrets = { sign: Buffer.from(plain.subarray(0, 32)), box: Buffer.from(plain.subarray(32)) }
    plain.fill(0)
    return secrets
  } catch {
    return null
  } finally {
    key.fill(0)
  }
}
