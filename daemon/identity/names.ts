/** The names a public key goes by (see the top of index.ts): one function, so a peer's key and ours derive alike. */
import { createHash } from 'node:crypto'

export interface KeyNames {
  /** SHA-256 of the SubjectPublicKeyInfo DER, 64 lower-case hex digits: compare this, in full, when pinning. */
  sha256: string
  /** The first 16 hex digits of `sha256`. */
  nodeId: string
  /** For people: the first 128 bits of `sha256`, e.g. `83D1-2D79-8CFB-20B2-5E0A-91C4-7B3F-D2A8`. */
  fingerprint: string
}

export function keyNames(spki: Buffer): KeyNames {
  const sha256 = createHash('sha256').update(spki).digest('hex')
  return { sha256, nodeId: sha256.slice(0, 16), fingerprint: formatFingerprint(sha256) }
}

/** 32+ hex digits → the first 32, upper case, in 8 groups of 4 joined by '-'. */
export function formatFingerprint(sha256Hex: string): string {
  if (!/^[0-9a-fA-F]{32,}$/.test(sha256Hex)) throw new TypeError('formatFingerprint needs at least 32 hex digits')
  return (sha256Hex.slice(0, 32).toUpperCase().match(/.{4}/g) as string[]).join('-')
}
