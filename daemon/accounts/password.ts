/**
 * The scrypt password verifier of accounts from before account keys (issue 14): checked once
 * more at such an account's next log-in, which gives it keys. Parameters travel with the hash;
 * the run goes through the same two-at-a-time gate as unwrapping (keys.ts), as replicated
 * parameters may ask for up to 256 MiB. `hashPassword` makes one only for tests and benchmarks
 * that build such an account.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { PasswordHash } from '../../shared/index.js'
import { gatedScrypt } from './keys.js'

const PARAMS = { N: 16384, r: 8, p: 1 } as const

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16)
  const key = await gatedScrypt(password, salt, PARAMS)
  return { algo: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: key.toString('base64') }
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64')
  const key = await gatedScrypt(password, Buffer.from(stored.salt, 'base64'), { N: stored.N, r: stored.r, p: stored.p })
  return key.length === expected.length && timingSafeEqual(key, expected)
}
