/**
 * A message's text in an end-to-end encrypted room: XChaCha20-Poly1305-IETF (libsodium
 * `crypto_aead_xchacha20poly1305_ietf_encrypt`, the IETF ChaCha20-Poly1305 AEAD of RFC 8439
 * with HChaCha20's 24-byte nonce) under the room key of its epoch, with a random 24-byte nonce
 * (random nonces of that size do not collide in any number of messages a room will see).
 *
 * The plaintext is the JSON `{text}`, or `{text, files}` for a message with files: each file's
 * ref and, for each of its blobs, where it is sealed and its secretstream key (file-stream.ts);
 * a message sealed before files could be is `{text}` and opens as it did. The associated data
 * binds the ciphertext to where it belongs: a context line, the room, the epoch and the
 * author. Copied into another room, under another epoch's entry, or into someone else's
 * message, it does not open (the author's entry signature covers the whole body as well).
 */
import { randomBytes } from 'node:crypto'
import canonicalize from 'canonicalize'
import { loadSodium } from './sodium.js'
import { SealedMessageContent, type SealedContent } from '../../shared/index.js'

const AD_CONTEXT = 'SO-CHAT room message v1\n'

/** Where a sealed text belongs: what the associated data names. */
export interface ContentContext {
  room: string
  epoch: number
  author: string
}

/** What is sealed: the text, and the files with their keys (shared/files.ts, SealedMessageContent). */
export type Content = SealedMessageContent

function associatedData(at: ContentContext): Buffer {
  // Usernames compare regardless of case; the AD must not depend on how one was spelt.
  return Buffer.from(AD_CONTEXT + canonicalize({ room: at.room, epoch: at.epoch, author: at.author.toLowerCase() }), 'utf8')
}

export async function encryptContent(key: Uint8Array, at: ContentContext, content: Content): Promise<SealedContent> {
  const sodium = await loadSodium()
  // node:crypto's CSPRNG: libsodium-wrappers' randombytes_buf costs about 0.4 ms a call here (bench/sealing.ts).
  const nonce = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
  const plain = Buffer.from(
    JSON.stringify(content.files?.length ? { text: content.text, files: content.files } : { text: content.text }),
    'utf8',
  )
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, associatedData(at), null, nonce, key)
  plain.fill(0)
  return { epoch: at.epoch, nonce: Buffer.from(nonce).toString('base64url'), ct: Buffer.from(ct).toString('base64url') }
}

/**
 * The content, or null when it does not open under this key and context (altered, moved to
 * another room, epoch or author, or sealed under another key), or is not the JSON `{text}` or
 * `{text, files}` (checked with the zod schema: files and keys as they must be).
 */
export async function decryptContent(key: Uint8Array, at: ContentContext, sealed: SealedContent): Promise<Content | null> {
  const sodium = await loadSodium()
  if (sealed.epoch !== at.epoch) return null
  const nonce = Buffer.from(sealed.nonce, 'base64url')
  if (nonce.length !== sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES) return null
  let plain: Uint8Array
  try {
    plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, Buffer.from(sealed.ct, 'base64url'), associatedData(at), nonce, key)
  } catch {
    return null
  }
  try {
    const parsed = SealedMessageContent.safeParse(JSON.parse(Buffer.from(plain).toString('utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null // authentic but not ours: a member's daemon sealed something that is not our content
  } finally {
    sodium.memzero(plain)
  }
}
