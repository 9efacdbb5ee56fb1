/** scrypt with a random salt per account; parameters travel with the hash so they can grow. */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import type { PasswordHash } from '../../shared/index.js'

const PARAMS = { N: 16384, r: 8, p: 1 } as const
const KEY_BYTES = 32

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: the default (32 MiB) is below what N=2^17, r=16 needs; the schema bounds N and r.
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...opts, maxmem: 512 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, PARAMS)
  return { algo: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: key.toString('base64') }
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64')
  const key = await derive(password, Buffer.from(stored.salt, 'base64'), { N: stored.N, r: stored.r, p: stored.p })
  return key.length === expected.length && timingSafeEqual(key, expected)
}
