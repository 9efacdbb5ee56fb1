/**
 * A relay's key for tests that feed a Follower frames by hand: its PeerKey (what a TLS link
 * would have pinned) and statements signed as the relay signs them (daemon/replica/statements.ts),
 * with the chain computed as the store does (daemon/store/chain.ts).
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { Entry, OrderStatement } from '../../../shared/index.js'
import { keyNames, type PeerKey } from '../../../daemon/identity/index.js'
import { signStatement } from '../../../daemon/replica/statements.js'
import { chainOver, GENESIS } from '../../../daemon/store/index.js'

export interface TestRelayKey {
  privateKey: KeyObject
  peer: PeerKey
  nodeId: string
}

export function relayKey(): TestRelayKey {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = createPublicKey(privateKey)
  const peer: PeerKey = { publicKey, ...keyNames(publicKey.export({ type: 'spki', format: 'der' })) }
  return { privateKey, peer, nodeId: peer.nodeId }
}

/** chain(n) of a log whose first entries are `log` (n <= log.length). */
export function chainOf(log: Entry[], n: number): string {
  return n === 0 ? GENESIS : chainOver(GENESIS, log.slice(0, n)).at(-1)!
}

export function statement(key: TestRelayKey, seq: number, chain: string, term = 2, network = 'lab', relayId = key.nodeId): OrderStatement {
  return signStatement({ network, relayId, term, seq, chain }, key.privateKey)
}
