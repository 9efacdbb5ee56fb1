/**
 * The network key travels to a newly admitted machine sealed to that machine's own key, so
 * only it can open it, whoever carries it: libsodium's sealed box (`crypto_box_seal`: an
 * ephemeral X25519 key, then XSalsa20-Poly1305) to the X25519 form of the machine's Ed25519
 * key (`crypto_sign_ed25519_pk_to_curve25519`, the birational map libsodium documents for
 * exactly this). The machine key already pinned by TLS is what the box is sealed to, so the
 * fingerprint a person compared before "Let in" is the only machine that can open it.
 */
import type { KeyObject } from 'node:crypto'
import { loadSodium } from '../sealing/index.js'
import { NetworkKey } from './network-key.js'

/** Raw 32-byte Ed25519 public key of a KeyObject. */
function rawPublic(publicKey: KeyObject): Uint8Array {
  return Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
}

export async function sealNetworkKey(key: NetworkKey, to: KeyObject): Promise<string> {
  const sodium = await loadSodium()
  const box = sodium.crypto_box_seal(key.bytes, sodium.crypto_sign_ed25519_pk_to_curve25519(rawPublic(to)))
  return Buffer.from(box).toString('base64url')
}

/** Opens a sealed network key with this machine's private key; throws when it was not sealed to us or was altered. */
export async function openNetworkKey(sealed: string, privateKey: KeyObject): Promise<NetworkKey> {
  const sodium = await loadSodium()
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
  const pair = sodium.crypto_sign_seed_keypair(seed)
  const opened = sodium.crypto_box_seal_open(
    Buffer.from(sealed, 'base64url'),
    sodium.crypto_sign_ed25519_pk_to_curve25519(pair.publicKey),
    sodium.crypto_sign_ed25519_sk_to_curve25519(pair.privateKey),
  )
  return NetworkKey.fromBytes(opened)
}
