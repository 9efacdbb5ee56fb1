/**
 * An account's keys (issue 14): an Ed25519 key pair that signs every entry the person makes
 * and an X25519 key pair that room keys are sealed to, made at sign-up by the daemon the
 * person signs up on. The private halves leave that daemon only wrapped:
 *
 *   kek    = scrypt(password (NFC), salt: 16 random bytes, N = 2^17, r = 8, p = 1) → 32 bytes
 *   sealed = AES-256-GCM(kek, nonce: 12 random bytes, aad: context ‖ username,
 *                        plaintext: Ed25519 seed ‖ X25519 private key)
 *
 * scrypt at these parameters takes 128 MiB and about 0.3 s a guess on this project's 2-core
 * test machine (bench/accounts.ts measures it), which is what an offline guesser holding a
 * copy of the log pays per guess. The AAD binds a wrapping to its account, so one copied onto
 * another account does not open. Opening checks that the keys inside are the account's
 * published ones, so a wrapping of other keys is refused rather than used.
 *
 * Private keys are 32-byte Buffers, turned into KeyObjects only to sign (signatures.ts) and
 * filled with zeros when no longer needed (`wipe`).
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, randomBytes, scrypt, type KeyObject } from 'node:crypto'
import type { AccountKeys, WrappedKeys } from '../../shared/index.js'

export interface AccountSecrets {
  /** Ed25519 private key (the RFC 8032 seed). */
  sign: Buffer
  /** X25519 private key. */
  box: Buffer
}

export const WRAP_PARAMS = { algo: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const
const WRAP_CONTEXT = 'SO-CHAT account keys v1\n'
/** What the largest parameters the schema lets through need (N = 2^17, r = 16: 256 MiB) and more. */
const SCRYPT_MAXMEM = 512 * 1024 * 1024

// The fixed DER prefixes of RFC 8410 keys: a raw 32-byte key appended makes a PKCS#8 or SPKI key.
const PKCS8 = {
  ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
  x25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
}
const SPKI = { ed25519: Buffer.from('302a300506032b6570032100', 'hex'), x25519: Buffer.from('302a300506032b656e032100', 'hex') }
type Curve = keyof typeof PKCS8

export function privateKeyOf(curve: Curve, raw: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8[curve], raw]), format: 'der', type: 'pkcs8' })
}

/**
 * The Ed25519 signing key from its seed and its public half, as a JWK: OpenSSL 3 takes a JWK's
 * raw key directly, where a PKCS#8 one goes through its decoders (about 80 µs against 1.4 ms
 * on the test machine), and the daemon builds one for every entry it signs.
 */
export function signingKeyOf(seed: Buffer, publicRaw: string): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: publicRaw }, format: 'jwk' })
}

export function publicKeyOf(curve: Curve, raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI[curve], raw]), format: 'der', type: 'spki' })
}

/** The raw 32 bytes of a public key, in base64url, as AccountKeys holds them. */
function rawPublic(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64url')
}

export function publicKeysOf(secrets: AccountSecrets): AccountKeys {
  return {
    sign: rawPublic(createPublicKey(privateKeyOf('ed25519', secrets.sign))),
    box: rawPublic(createPublicKey(privateKeyOf('x25519', secrets.box))),
  }
}

export function newAccountSecrets(): AccountSecrets {
  return { sign: randomBytes(32), box: randomBytes(32) }
}

export function wipe(secrets: AccountSecrets | null | undefined): void {
  secrets?.sign.fill(0)
  secrets?.box.fill(0)
}

/**
 * At most two scrypt runs at once (this project's machines have two cores; more would only
 * share them): each takes 128 MiB, so a burst of log-ins under many names, from any local
 * program, waits here instead of taking gigabytes.
 */
const KDF_AT_ONCE = 2
let kdfRunning = 0
const kdfWaiting: (() => void)[] = []

/** scrypt of a password (NFC), two at a time at most; also the old verifier's (password.ts). */
export async function gatedScrypt(password: string, salt: Buffer, kdf: Pick<WrappedKeys['kdf'], 'N' | 'r' | 'p'>): Promise<Buffer> {
  // A finishing run hands its place straight to the next waiter, so none slips in between.
  if (kdfRunning >= KDF_AT_ONCE) await new Promise<void>((resolve) => kdfWaiting.push(resolve))
  else kdfRunning++
  try {
    return await new Promise((resolve, reject) =>
      scrypt(password.normalize('NFC'), salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: SCRYPT_MAXMEM }, (err, key) =>
        err ? reject(err) : resolve(key),
      ),
    )
  } finally {
    const next = kdfWaiting.shift()
    if (next) next()
    else kdfRunning--
  }
}

const aad = (username: string) => Buffer.from(WRAP_CONTEXT + username.toLowerCase(), 'utf8')

export async function wrapKeys(secrets: AccountSecrets, password: string, username: string): Promise<WrappedKeys> {
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const kek = await gatedScrypt(password, salt, WRAP_PARAMS)
  const cipher = createCipheriv('aes-256-gcm', kek, nonce).setAAD(aad(username))
  const plain = Buffer.concat([secrets.sign, secrets.box])
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()])
  plain.fill(0)
  kek.fill(0)
  return {
    kdf: { ...WRAP_PARAMS, salt: salt.toString('base64url') },
    aead: 'aes-256-gcm',
    nonce: nonce.toString('base64url'),
    sealed: sealed.toString('base64url'),
  }
}

/**
 * The account's private keys, or null when the password is wrong (or the wrapping is not of
 * `expected`'s keys). Costs one scrypt either way.
 */
export async function unwrapKeys(
  wrapped: WrappedKeys,
  password: string,
  username: string,
  expected: AccountKeys,
): Promise<AccountSecrets | null> {
  const kek = await gatedScrypt(password, Buffer.from(wrapped.kdf.salt, 'base64url'), wrapped.kdf)
  const sealed = Buffer.from(wrapped.sealed, 'base64url')
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(wrapped.nonce, 'base64url')).setAAD(aad(username))
  decipher.setAuthTag(sealed.subarray(-16))
  let plain: Buffer
  try {
    plain = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()])
  } catch {
    return null // the tag did not verify: a wrong password (or a damaged wrapping), said the same way
  } finally {
    kek.fill(0)
  }
  const secrets = { sign: Buffer.from(plain.subarray(0, 32)), box: Buffer.from(plain.subarray(32, 64)) }
  plain.fill(0)
  const actual = publicKeysOf(secrets)
  if (actual.sign !== expected.sign || actual.box !== expected.box) {
    wipe(secrets)
    return null
  }
  return secrets
}

/** The same work as opening a wrapping, for a name with no account: the answer takes as long. */
export async function unwrapNothing(password: string): Promise<null> {
  await gatedScrypt(password, randomBytes(16), WRAP_PARAMS)
  return null
}
