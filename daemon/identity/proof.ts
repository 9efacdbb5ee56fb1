/**
 * Proving the network key over one TLS session, without sending it.
 *
 *   proof = HMAC-SHA256(network key, "sochat-network-proof-v1" 0x00 ‖ role ‖ EKM)
 *   EKM   = TLS 1.3 exporter (RFC 8446 section 7.5, RFC 5705),
 *           label "EXPORTER-sochat-network-proof", empty context, 32 bytes
 *
 * Both ends of one TLS session compute the same EKM and nobody else can: it derives from the
 * session's secrets. So a proof is good for that session only: recorded and replayed on
 * another connection it is wrong, and a machine in the middle that relays it between two
 * sessions of its own (one to each side) has two different EKMs. The role byte ('C' for the
 * side that connected, 'S' for the side that accepted) keeps the server's proof from being
 * reflected back to it as a client's. This is the channel binding RFC 9266 describes for
 * TLS 1.3, with a pre-shared key in place of a password.
 *
 * Why not TLS-PSK: Node's PSK callbacks do not combine with certificates in TLS 1.3, and the
 * certificates are what pin each machine; the key proves only membership.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { NetworkKey } from './network-key.js'

export type ProofRole = 'client' | 'server'

/** The header both sides send their proof in (base64url). */
export const PROOF_HEADER = 'sochat-proof'

const EXPORTER_LABEL = 'EXPORTER-sochat-network-proof'
const PROOF_LABEL = Buffer.from('sochat-network-proof-v1\0')
const ROLE_BYTE: Record<ProofRole, number> = { client: 0x43, server: 0x53 }

/** The proof `role` gives for `key` on this socket; throws when it has no TLS 1.3 session. */
export function networkProof(key: NetworkKey, role: ProofRole, socket: TLSSocket): string {
  if (socket.getProtocol() !== 'TLSv1.3') throw new Error('a network proof needs a TLS 1.3 session')
  const ekm = socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)) // TLS 1.3: empty context = none
  return createHmac('sha256', key.bytes)
    .update(PROOF_LABEL)
    .update(Buffer.from([ROLE_BYTE[role]]))
    .update(ekm)
    .digest('base64url')
}

/**
 * The same, or null when the socket has no TLS 1.3 session (any more: a socket closed
 * meanwhile has no keying material). What the daemon calls: a network fault must never
 * become an exception in a request handler.
 */
export function proofOn(key: NetworkKey, role: ProofRole, socket: TLSSocket): string | null {
  try {
    return socket.destroyed ? null : networkProof(key, role, socket)
  } catch {
    return null
  }
}

/** Whether `given` is `role`'s proof of `key` on this socket (constant time). */
export function checkNetworkProof(key: NetworkKey, role: ProofRole, socket: TLSSocket, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 64) return false
  const proof = proofOn(key, role, socket)
  if (proof === null) return false
  const want = Buffer.from(proof, 'base64url')
  const got = Buffer.from(given, 'base64url')
  return got.length === want.length && timingSafeEqual(got, want)
}
