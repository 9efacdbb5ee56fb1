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
 * not an Ed25519 one. Call it once the handshake is done.
 *
 * Cheap on purpose (about 40 µs, against 350 µs for parsing the DER again): it takes the
 * certificate OpenSSL already parsed during the handshake (`getPeerX509Certificate`, no copy
 * through DER) and its key as OpenSSL decoded it, and writes the SPKI from the raw key rather
 * than through OpenSSL 3's encoder (`export({ type: 'spki' })` costs ~120 µs). On Node 20,
 * `getPeerX509Certificate()` answers only once per client socket (and `getPeerCertificate()`
 * is empty after it), so the answer is kept per socket.
 */
export function peerKeyOf(socket: TLSSocket): PeerKey | null {
  let key = READ.get(socket) ?? null
  if (!key) {
    key = readPeerKey(socket)
    if (key) READ.set(socket, key)
  }
  return key
}

/** What peerKeyOf read, per socket. */
const READ = new WeakMap<TLSSocket, PeerKey>()

function readPeerKey(socket: TLSSocket): PeerKey | null {
  let cert = socket.getPeerX509Certificate()
  if (!cert) {
    const raw = socket.getPeerCertificate()?.raw
    if (!raw) return null
    try {
      cert = new X509Certificate(raw)
    } catch {
      return null // a certificate OpenSSL accepted but Node cannot read: no machine we know
    }
  }
  const publicKey = cert.publicKey
  if (publicKey.asymmetricKeyType !== 'ed25519') return null
  return { publicKey, ...keyNames(ed25519Spki(publicKey)) }
}

/**
 * The DER SubjectPublicKeyInfo of an Ed25519 key: RFC 8410 section 4 fixes it as a 12-byte
 * header (the algorithm, no parameters, a 256-bit BIT STRING) and the 32-byte raw key, the
 * very bytes `export({ type: 'spki', format: 'der' })` gives (test/daemon/identity).
 */
export function ed25519Spki(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key')
  const { x } = publicKey.export({ format: 'jwk' })
  const raw = Buffer.from(x ?? '', 'base64url')
  if (raw.length !== 32) throw new Error('not an Ed25519 public key')
  return Buffer.concat([ED25519_SPKI_HEADER, raw])
}

const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex')

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
