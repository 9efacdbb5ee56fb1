/**
 * Order statements (shared/chain.ts) signed and checked with node:crypto: Ed25519 (RFC 8032,
 * `crypto.sign(null, …)`) with the machine key, the one each TLS link pins (daemon/link).
 */
import { sign, verify, type KeyObject } from 'node:crypto'
import { statementText, type OrderStatement, type UnsignedStatement } from '../../shared/index.js'

/** What a relay says with its key about where the log stands. */
export function signStatement(s: UnsignedStatement, privateKey: KeyObject): OrderStatement {
  const sig = sign(null, Buffer.from(statementText(s)), privateKey).toString('base64')
  return { network: s.network, relayId: s.relayId, term: s.term, seq: s.seq, chain: s.chain, sig }
}

/** Whether `key` (the link's pinned key) signed this statement. Never throws. */
export function statementSignedBy(s: OrderStatement, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(statementText(s)), key, Buffer.from(s.sig, 'base64'))
  } catch {
    return false
  }
}
