/**
 * Term arithmetic. A term grows by at most one per election: a daemon that takes a new term
 * (promotes, raises after a merge, takes over) takes one above the highest it has actually
 * seen (its saved term, live adverts of its network, its relay's frames), never more, and
 * never past MAX_TERM. A claim beyond that is refused where it arrives (the schemas), and a
 * term that would pass the bound is not taken at all: a network stuck without a new relay
 * can be repaired, one split for good by terms nobody can reach again could not.
 */
import { MAX_TERM, type Advert } from '../../shared/index.js'

/** A term a daemon may hold: a whole number from 0 (none yet) up to MAX_TERM. */
export function isTerm(term: number): boolean {
  return Number.isSafeInteger(term) && term >= 0 && term <= MAX_TERM
}

/**
 * One above the highest of `seen`, or null when that would pass MAX_TERM (or a value seen is
 * no term at all, as a saved term from before the bounds may be).
 */
export function nextTerm(seen: readonly number[]): number | null {
  if (!seen.every(isTerm)) return null
  const next = Math.max(0, ...seen) + 1
  return next <= MAX_TERM ? next : null
}

/** The adverts that count for the election: our protocol and network, and not our own echo. */
export function countedPeers(self: Advert, peers: readonly Advert[]): Advert[] {
  return peers.filter((p) => p.proto === self.proto && p.network === self.network && p.nodeId !== self.nodeId)
}

export type TermRaise = { kind: 'keep' } | { kind: 'raise'; term: number } | { kind: 'absurd'; highest: number }

/**
 * For a relay that stays: when a rival relay has a term not below ours, or a daemon (a client
 * that joined us from the other side of a healed partition) carries a newer one, every replica
 * must end up agreeing on one term again, so the relay takes one above all of them.
 */
export function raisedTerm(self: Advert, peers: readonly Advert[]): TermRaise {
  const counted = countedPeers(self, peers)
  const rivalRelay = Math.max(0, ...counted.filter((p) => p.role === 'relay').map((p) => p.term))
  const newest = Math.max(0, ...counted.map((p) => p.term))
  if (rivalRelay < self.term && newest <= self.term) return { kind: 'keep' }
  const term = nextTerm([self.term, rivalRelay, newest])
  return term === null ? { kind: 'absurd', highest: Math.max(self.term, newest) } : { kind: 'raise', term }
}
