/**
 * An account's fingerprint (safety number): what two people compare, in person, to know that
 * the keys this network holds for a name are the ones that person's own screen shows.
 *
 * The construction is Signal's numeric fingerprint (libsignal `NumericFingerprintGenerator`,
 * version 0), for one party instead of two:
 *
 *   h₀ = SHA-512(version ‖ publicKey ‖ identifier)
 *   hᵢ = SHA-512(hᵢ₋₁ ‖ publicKey)              for i = 1 … 5199 (5200 hashes in all)
 *
 * with version = the 2 bytes 0x0000 as Signal's, `publicKey` = a context line, then the
 * Ed25519 signing key and the X25519 box key (32 bytes each, raw), and `identifier` = the
 * account's name in lower case (names are unique regardless of case) in UTF-8, with its byte
 * length in front so no two (name, key) pairs share an input. The first 60 of h's 64 bytes
 * are read as 12 chunks of 5 bytes, each big-endian number mod 100,000 printed as 5 digits:
 * 12 groups of 5, 60 digits, as the number Signal shows for a pair of people. The iterations
 * are Signal's: they make hunting for keys whose number looks alike 5200 times dearer.
 *
 * Pure: no I/O, the same keys and name always give the same number.
 */
import { createHash } from 'node:crypto'
import type { AccountKeys } from '../../shared/index.js'

/** Signal's: 5200 SHA-512 calls per fingerprint (about 2–4 ms here, so results are kept). */
export const FINGERPRINT_ITERATIONS = 5200
const VERSION = Buffer.from([0, 0])
/** Binds the number to this use, so the same keys hashed for another purpose never match it. */
const CONTEXT = Buffer.from('SO-CHAT account fingerprint v1\n', 'utf8')
const GROUPS = 12
const CACHE_MAX = 4096

const cache = new Map<string, string>()

/** "12345 67890 …": 12 groups of 5 digits, separated by single spaces. */
export function accountFingerprint(username: string, keys: AccountKeys): string {
  const cacheKey = `${username.toLowerCase()}\0${keys.sign}\0${keys.box}`
  const known = cache.get(cacheKey)
  if (known) return known
  const value = computeFingerprint(username, keys)
  // A bounded memo: a member list asks for the same people again and again.
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
  cache.set(cacheKey, value)
  return value
}

/** The fingerprint, or null for an account without keys yet (from before account keys). */
export function fingerprintOf(account: { username: string; keys?: AccountKeys }): string | null {
  return account.keys ? accountFingerprint(account.username, account.keys) : null
}

function computeFingerprint(username: string, keys: AccountKeys): string {
  const sign = Buffer.from(keys.sign, 'base64url')
  const box = Buffer.from(keys.box, 'base64url')
  if (sign.length !== 32 || box.length !== 32) throw new TypeError('account keys are 32 bytes each')
  const publicKey = Buffer.concat([CONTEXT, sign, box])
  const name = Buffer.from(username.toLowerCase(), 'utf8')
  const length = Buffer.alloc(2)
  length.writeUInt16BE(name.length)
  let hash = createHash('sha512').update(VERSION).update(publicKey).update(length).update(name).digest()
  for (let i = 1; i < FINGERPRINT_ITERATIONS; i++) hash = createHash('sha512').update(hash).update(publicKey).digest()
  return formatDigits(hash)
}

/** Signal's encoding: each 5-byte chunk, big-endian, mod 100,000, as 5 digits. */
export function formatDigits(hash: Buffer): string {
  if (hash.length < GROUPS * 5) throw new TypeError(`a fingerprint needs ${GROUPS * 5} bytes`)
  const groups: string[] = []
  for (let g = 0; g < GROUPS; g++) {
    const chunk = hash.readUIntBE(g * 5, 5)
    groups.push((chunk % 100_000).toString().padStart(5, '0'))
  }
  return groups.join(' ')
}
