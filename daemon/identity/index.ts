/**
 * This machine's identity: an Ed25519 key pair made at first start and kept in the data
 * folder, and the names derived from its public key.
 *
 * Why a key and not a random id: a random id can be claimed by anyone who hears it; a key can
 * be proved. The links between daemons will pin this key in TLS (admission asks a person once,
 * by fingerprint; after that a machine is who its key says). So everything people see is a
 * hash of the public key in its SubjectPublicKeyInfo DER (`spki`), the exact bytes a TLS
 * certificate carries:
 *
 *   sha256 = SHA-256(spki)                         64 hex digits; what a pin compares, in full
 *   nodeId = sha256[0..16]                         16 lower-case hex (the NodeId schema): a name
 *                                                  for routing and elections, not a credential
 *   fingerprint = sha256[0..32], upper case, in 8 groups of 4 joined by '-'
 *                 e.g. 83D1-2D79-8CFB-20B2-5E0A-91C4-7B3F-D2A8: what people read aloud and
 *                 compare (128 bits: no one can make a second key that shows the same)
 *
 * The node id is the first four groups of the fingerprint, lower-cased, so a person who knows
 * one can spot the other.
 *
 * The private key is PKCS#8 PEM in DATA_DIR/machine-key.pem, mode 0600, written to a temp
 * file and renamed so a crash never leaves half a key. A key file that is unreadable, not
 * Ed25519, or open to group or others stops the start with an `IdentityError` saying how
 * to fix it: carrying on with a fresh key would silently make this machine someone else.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { IdentityError } from '../errors/index.js'
import { keyNames } from './names.js'
import { readPrivateFile, writePrivateFile } from './private-file.js'

export { formatFingerprint, keyNames, type KeyNames } from './names.js'
export { machineCertificate, peerKeyOf, type PeerKey } from './certificate.js'

export const KEY_FILE = 'machine-key.pem'
/** Where builds before the key kept a random node id; see `loadMachineIdentity`. */
const OLD_NODE_ID_FILE = 'node-id'

export interface MachineIdentity {
  privateKey: KeyObject
  publicKey: KeyObject
  /** The public key as SubjectPublicKeyInfo DER: what a TLS certificate carries and a pin hashes. */
  spki: Buffer
  /** SHA-256 of `spki`, 64 lower-case hex digits: compare this, in full, when pinning. */
  sha256: string
  /** For people: the first 128 bits of `sha256`, e.g. `83D1-2D79-8CFB-20B2-5E0A-91C4-7B3F-D2A8`. */
  fingerprint: string
  /** The first 16 hex digits of `sha256`: this machine's node id. */
  nodeId: string
}

export interface LoadedIdentity {
  identity: MachineIdentity
  /** This start made the key: a new data folder, or one from before the key. */
  created: boolean
  /** The random id an older build kept in DATA_DIR/node-id, replaced by this one (the file is now removed). */
  replacedNodeId?: string
}

/** The names derived from a private key (see the top of this file). */
export function identityOf(privateKey: KeyObject): MachineIdentity {
  const publicKey = createPublicKey(privateKey)
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  return { privateKey, publicKey, spki, ...keyNames(spki) }
}

/**
 * This machine's identity: read from DATA_DIR/machine-key.pem, or made there on first start.
 *
 * A data folder from before the key has a random id in DATA_DIR/node-id. The id now follows
 * from the key, so that file is removed once the key is safely in place: left behind, it would
 * claim an id this machine no longer has, to anyone reading the folder (nothing reads it any
 * more; the running daemon's id is in sochatd.json and the status). The one visible effect of
 * the new id: the page's session cookie is named after it, so people log in once more.
 */
export async function loadMachineIdentity(dataDir: string): Promise<LoadedIdentity> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, KEY_FILE)
  let privateKey = await readKeyFile(file)
  const created = !privateKey
  if (!privateKey) {
    privateKey = generateKeyPairSync('ed25519').privateKey
    await writePrivateFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
  }
  // Looked for on every start, not only when the key is made: a crash between the two would
  // otherwise leave the old file for good.
  const oldFile = join(dataDir, OLD_NODE_ID_FILE)
  const old = await readFile(oldFile, 'utf8').catch(() => null)
  if (old !== null) await rm(oldFile, { force: true })
  return { identity: identityOf(privateKey), created, ...(old !== null ? { replacedNodeId: old.trim().slice(0, 64) } : {}) }
}

const KEY_FILE_CODES = {
  invalid: 'machine_key_invalid',
  exposed: 'machine_key_exposed',
  what: "This machine's key",
  ifCopied: 'delete it instead so a new key is made (other machines will then see this one as new).',
} as const

/** The key in `file`, or null if there is no file. */
async function readKeyFile(file: string): Promise<KeyObject | null> {
  const pem = await readPrivateFile(file, KEY_FILE_CODES)
  if (pem === null) return null
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new IdentityError('machine_key_invalid', invalidKey(file, 'it is not a readable PEM private key'), { cause: err })
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new IdentityError('machine_key_invalid', invalidKey(file, `it is a ${key.asymmetricKeyType} key, not Ed25519`))
  return key
}

function invalidKey(file: string, why: string): string {
  return `This machine's key ${file} cannot be used: ${why}. Restore it from a backup, or delete it to make a new key (other machines will then see this one as new).`
}
export { NetworkKey, loadNetworkKey, saveNetworkKey, readKeyFileGiven, NETWORK_KEY_FILE } from './network-key.js'
export { networkProof, proofOn, checkNetworkProof, PROOF_HEADER, type ProofRole } from './proof.js'
export { sealNetworkKey, openNetworkKey } from './seal.js'
