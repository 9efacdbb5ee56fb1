/**
 * A room key: 32 random bytes per room and epoch, which the messages of that epoch are
 * encrypted under (content.ts). It reaches each member sealed to their account's X25519 `box`
 * key with libsodium's sealed box (`crypto_box_seal`: an ephemeral X25519 key pair, the shared
 * secret through HSalsa20, then XSalsa20-Poly1305 — only the holder of the private key opens
 * it, and nothing tells who sealed it; the `room.key` entry's Ed25519 signature does that).
 *
 * A sealed box alone would let a dishonest member give each member a different key (a split
 * room: what alice reads, bob cannot). So the entry also carries a commitment to the one key,
 * BLAKE2b-256 (libsodium `crypto_generichash`, RFC 7693) over a context line, the room, the
 * epoch and the key; a member who opens a key that does not match it refuses the key. The
 * key is 256 random bits, so publishing its hash tells nothing of it.
 */
import { randomBytes } from 'node:crypto'
import { loadSodium } from './sodium.js'

export const ROOM_KEY_BYTES = 32
const COMMITMENT_CONTEXT = 'SO-CHAT room key commitment v1\n'

/** From node:crypto's CSPRNG (OpenSSL's), as the account keys are. */
export async function newRoomKey(): Promise<Buffer> {
  return randomBytes(ROOM_KEY_BYTES)
}

/** `key` sealed to a member's account box key (base64url, as AccountKeys holds it). */
export async function sealRoomKey(key: Uint8Array, boxPublic: string): Promise<string> {
  const sodium = await loadSodium()
  return Buffer.from(sodium.crypto_box_seal(key, Buffer.from(boxPublic, 'base64url'))).toString('base64url')
}

/**
 * Opens a sealed room key with a member's X25519 private key; null when it was not sealed to
 * that key, was altered, or does not match the entry's commitment.
 */
export async function openRoomKey(
  sealed: string,
  boxSecret: Uint8Array,
  expect: KeyContext & { commitment: string },
): Promise<Buffer | null> {
  const sodium = await loadSodium()
  const bytes = Buffer.from(sealed, 'base64url')
  if (bytes.length !== ROOM_KEY_BYTES + sodium.crypto_box_SEALBYTES || boxSecret.length !== 32) return null
  let key: Uint8Array
  try {
    key = sodium.crypto_box_seal_open(bytes, sodium.crypto_scalarmult_base(boxSecret), boxSecret)
  } catch {
    return null // not sealed to this key, or altered: libsodium says no more than that
  }
  const out = Buffer.from(key)
  sodium.memzero(key)
  if ((await roomKeyCommitment(out, expect)) === expect.commitment) return out
  out.fill(0)
  return null
}

export interface KeyContext {
  room: string
  epoch: number
}

export async function roomKeyCommitment(key: Uint8Array, at: KeyContext): Promise<string> {
  const sodium = await loadSodium()
  const label = Buffer.from(`${COMMITMENT_CONTEXT}${at.room}\n${at.epoch}\n`, 'utf8')
  return Buffer.from(sodium.crypto_generichash(32, Buffer.concat([label, key]), null)).toString('base64url')
}
