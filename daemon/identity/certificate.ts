/**
 * The TLS certificate a daemon presents on every link, and the machine a peer's certificate
 * names.
 *
 * Nobody signs these certificates but the machine itself: trust comes from pinning the key,
 * as in Syncthing, not from a CA. So the certificate is only an envelope for the machine's
 * Ed25519 public key (RFC 8410), self-signed with the same key, and every field except the
 * key is ignored by the other side. TLS 1.3 itself proves that the peer holds the private key
 * (its CertificateVerify signs the handshake transcript), so the key in a certificate that
 * completed a handshake is the peer's: `peerKeyOf` reads it, and the names derive from it as
 * this machine's do (index.ts): what a pin compares.
 *
 * node:crypto can parse and verify certificates but not make them, and the libraries that can
 * are large or RSA-only, so the DER is written here: a fixed X.509 v3 layout (RFC 5280) of a
 * dozen fields, signed with `crypto.sign`. `openssl x509 -verify` and Node's X509Certificate
 * accept it (test/daemon/identity/certificate.test.ts).
 */
import { X509Certificate, randomBytes, sign, type KeyObject } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import { keyNames, type KeyNames } from './names.js'

/** Who is at the other end of a TLS socket: the names of the key its certificate carries. */
export interface PeerKey extends KeyNames {
  publicKey: KeyObject
}

/** A self-signed X.509 v3 certificate for the machine key, as PEM. */
export function machineCertificate(identity: { privateKey: KeyObject; spki: Buffer; nodeId: string }): string {
  const name = seq(set(seq(oid(OID_COMMON_NAME), utf8(`sochat-${identity.nodeId}`))))
  const algorithm = seq(oid(OID_ED25519)) // no parameters (RFC 8410 section 3)
  const serial = randomBytes(16)
  // Positive and minimal DER (RFC 5280 4.1.2.2): top bit clear, and never a leading zero byte,
  // which DER forbids before a byte below 0x80 (1 serial in 256 would make an unreadable certificate).
  serial[0] = (serial[0]! & 0x7f) | 0x40
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] version: v3
    integer(serial),
    algorithm,
    name, // issuer
    // Validity: 2000 to 9999-12-31, RFC 5280's "no well-defined expiration date". A pinned
    // key does not expire; a machine removed from the network is removed by its key.
    seq(tlv(0x17, Buffer.from('000101000000Z')), tlv(0x18, Buffer.from('99991231235959Z'))),
    name, // subject
    identity.spki,
    // Extensions: basicConstraints, critical, CA:FALSE (an empty SEQUENCE).
    tlv(0xa3, seq(seq(oid(OID_BASIC_CONSTRAINTS), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq())))),
  )
  const signature = sign(null, tbs, identity.privateKey)
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature))
  const lines = der.toString('base64').match(/.{1,64}/g) as string[]
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

/**
 * The key of the certificate the peer presented on this socket, or null: no certificate, or
 * not an Ed25519 one. Call it once the handshake is done. Reads `getPeerCertificate().raw`,
 * not `getPeerX509Certificate()`, which on Node 20 answers only once per client socket.
 */
export function peerKeyOf(socket: TLSSocket): PeerKey | null {
  const raw = socket.getPeerCertificate()?.raw
  if (!raw) return null
  // Parsing a certificate costs about a millisecond; the same machines link and probe again and again.
  const cacheKey = raw.toString('base64')
  const cached = KNOWN.get(cacheKey)
  if (cached) return cached
  const key = keyOfCertificate(raw)
  if (key) {
    if (KNOWN.size >= KNOWN_LIMIT) KNOWN.delete(KNOWN.keys().next().value as string)
    KNOWN.set(cacheKey, key)
  }
  return key
}

/** Certificates already read, by their bytes (the oldest forgotten first). */
const KNOWN = new Map<string, PeerKey>()
const KNOWN_LIMIT = 4096

function keyOfCertificate(raw: Buffer): PeerKey | null {
  let publicKey: KeyObject
  try {
    publicKey = new X509Certificate(raw).publicKey
  } catch {
    return null // a certificate OpenSSL accepted but Node cannot read: no machine we know
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') return null
  return { publicKey, ...keyNames(publicKey.export({ type: 'spki', format: 'der' })) }
}

const OID_ED25519 = '2b6570' // 1.3.101.112
const OID_COMMON_NAME = '550403' // 2.5.4.3
const OID_BASIC_CONSTRAINTS = '551d13' // 2.5.29.19

/** A DER element: tag, definite length, contents. Lengths here stay below 64 KiB. */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const n = body.length
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, body])
}
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts)
const set = (...parts: Buffer[]) => tlv(0x31, ...parts)
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'))
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'))
const integer = (bytes: Buffer) => tlv(0x02, bytes)
