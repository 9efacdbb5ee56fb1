/**
 * What relays have signed about the order of the log (shared/chain.ts), kept per relay key and
 * term: the newest statement each relay key made in each term that we checked, and the forks
 * (two statements of one key and one term that cannot both be true) with both statements as
 * proof. Local facts, never replicated; the follower decides what goes in (replica/order-check.ts).
 */
import type { OrderStatement } from '../../shared/index.js'
import type { Sub } from './types.js'

/** Two statements one relay key signed for one term that no single history satisfies. */
export interface ForkProof {
  /** SHA-256 of the relay's key (SubjectPublicKeyInfo DER), 64 hex: who signed both. */
  relayKey: string
  relayId: string
  fingerprint: string
  term: number
  /** The earlier one we kept, and the one that contradicts it. */
  kept: OrderStatement
  contradicting: OrderStatement
  /** What does not add up, in words. */
  why: string
  detectedAt: number
}

const termKey = (relayKey: string, term: number) => `${relayKey}!${term.toString().padStart(16, '0')}`

export class OrderRecords {
  constructor(
    readonly seen: Sub<OrderStatement>,
    readonly forkProofs: Sub<ForkProof>,
  ) {}

  /** The newest statement we checked from this key in this term. */
  async newest(relayKey: string, term: number): Promise<OrderStatement | undefined> {
    return this.seen.get(termKey(relayKey, term))
  }

  async remember(relayKey: string, statement: OrderStatement): Promise<void> {
    await this.seen.put(termKey(relayKey, statement.term), statement)
  }

  /** Kept once per key and term: the first proof is as good as any later one. */
  async recordFork(proof: ForkProof): Promise<boolean> {
    const key = termKey(proof.relayKey, proof.term)
    if ((await this.forkProofs.get(key)) !== undefined) return false
    await this.forkProofs.put(key, proof)
    return true
  }

  async forks(): Promise<ForkProof[]> {
    const out: ForkProof[] = []
    for await (const proof of this.forkProofs.values()) out.push(proof)
    return out.sort((a, b) => b.detectedAt - a.detectedAt)
  }

  /** Whether this relay key was caught signing two histories (in any term). */
  async forked(relayKey: string): Promise<boolean> {
    for await (const _ of this.forkProofs.keys({ gte: `${relayKey}!`, lt: `${relayKey}!~`, limit: 1 })) return true
    return false
  }
}
