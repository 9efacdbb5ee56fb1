/**
 * The network key: 32 random bytes that every member machine of a network holds, and only
 * they. Holding it is what membership means: a link is accepted when the other side proves
 * it over that very TLS session (proof.ts), so the key itself never crosses the wire.
 *
 * Written as one line a person can copy, `sochat-key-1.` and the 32 bytes in base64url
 * (`sochat network-key` prints it, `--network-key-file` reads it). Kept in the data folder as
 * `network-key`, 0600, like the machine's own key; a copy given with `--network-key-file`
 * is read each start and saved there, so the file given may be deleted afterwards.
 *
 * `id` names a key without revealing it (the first 8 bytes of SHA-256 over a label and the
 * key): logs and the status say which key a machine holds, so two that disagree can be told.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { IdentityError } from '../errors/index.js'
import { readPrivateFile, writePrivateFile } from './private-file.js'

export const NETWORK_KEY_FILE = 'network-key'
const PREFIX = 'sochat-key-1.'
const KEY_BYTES = 32

export class NetworkKey {
  readonly id: string

  private constructor(readonly bytes: Buffer) {
    this.id = createHash('sha256').update('sochat network key id\0').update(bytes).digest('hex').slice(0, 16)
  }

  static generate(): NetworkKey {
    return new NetworkKey(randomBytes(KEY_BYTES))
  }

  static fromBytes(bytes: Uint8Array): NetworkKey {
    if (bytes.length !== KEY_BYTES)
      throw new IdentityError('network_key_invalid', `A network key has ${KEY_BYTES} bytes, not ${bytes.length}.`)
    return new NetworkKey(Buffer.from(bytes))
  }

  /** Parses the one-line form; `where` names the file for the message. */
  static parse(text: string, where: string): NetworkKey {
    const line = text.trim()
    const body = line.startsWith(PREFIX) ? line.slice(PREFIX.length) : null
    const bytes = body !== null && /^[A-Za-z0-9_-]{43}$/.test(body) ? Buffer.from(body, 'base64url') : null
    if (!bytes || bytes.length !== KEY_BYTES)
      throw new IdentityError(
        'network_key_invalid',
        `${where} does not hold a SO-CHAT network key (one line starting "${PREFIX}", as \`sochat network-key\` prints on a member machine).`,
      )
    return new NetworkKey(bytes)
  }

  equals(other: NetworkKey | null): boolean {
    return other !== null && timingSafeEqual(this.bytes, other.bytes)
  }

  toString(): string {
    return `${PREFIX}${this.bytes.toString('base64url')}`
  }

  /** Never print the key by accident (a log line with the whole object, a template string). */
  toJSON(): string {
    return `network key ${this.id}`
  }
}

const FILE_CODES = {
  invalid: 'network_key_invalid',
  exposed: 'network_key_invalid',
  what: 'The network key',
  ifCopied: 'replace the network: remove the machines that should not have it from the Network panel (the key is then replaced).',
} as const

/** The key kept in DATA_DIR/network-key, or null when this machine holds none yet. */
export async function loadNetworkKey(dataDir: string): Promise<NetworkKey | null> {
  const file = join(dataDir, NETWORK_KEY_FILE)
  const text = await readPrivateFile(file, FILE_CODES)
  return text === null ? null : NetworkKey.parse(text, file)
}

export async function saveNetworkKey(dataDir: string, key: NetworkKey): Promise<void> {
  await writePrivateFile(join(dataDir, NETWORK_KEY_FILE), `${key.toString()}\n`)
}

/**
 * Reads a key file a person handed to `--network-key-file`. Its mode is not checked: it may
 * sit on a USB stick or a share the admin controls; what this machine keeps is its own 0600 copy.
 */
export async function readKeyFileGiven(file: string): Promise<NetworkKey> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new IdentityError('network_key_invalid', `Cannot read the network key file ${file}: ${(err as Error).message}.`, { cause: err })
  }
  return NetworkKey.parse(text, file)
}
