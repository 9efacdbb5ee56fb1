import type { Advert } from '../../shared/index.js'
import { countedPeers } from './term.js'

/** What the order of candidates rests on: an advert, or a roster's line for a machine. */
export type Ranked = Pick<Advert, 'head' | 'startedAt' | 'nodeId'>

/** Negative when `a` should be relay before `b`: the most complete log, then the oldest, then the lowest id. */
export function compareCandidates(a: Ranked, b: Ranked): number {
  return b.head - a.head || a.startedAt - b.startedAt || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)
}

/**
 * Negative when relay `a` should win over relay `b`: the longer log first (fewer entries to
 * move, and a lone machine that promoted itself behind a pulled cable does not take over a
 * whole floor when the cable is back), then the newer term, then as candidates.
 */
export function compareRelays(a: Advert, b: Advert): number {
  return b.head - a.head || b.term - a.term || compareCandidates(a, b)
}

export type Decision =
  | { kind: 'stay' }
  | { kind: 'wait'; for: string | null }
  | { kind: 'join'; relay: Advert }
  | { kind: 'promote'; term: number }
  | { kind: 'step-down'; relay: Advert }

export interface ElectionInput {
  self: Advert
  /** Live adverts of other daemons (answered a probe recently). */
  peers: Advert[]
  /** Has the discovery window after start or after losing the relay passed? */
  windowOver: boolean
  /** Highest term this daemon has ever seen, including its own log's. */
  knownTerm: number
  /** Candidates that were waited for too long without promoting; passed over. */
  skipped?: ReadonlySet<string>
}

export function decide(input: ElectionInput): Decision {
  const { self } = input
  const peers = countedPeers(self, input.peers)
  const relays = peers.filter((p) => p.role === 'relay').sort(compareRelays)
  const bestRelay = relays[0]

  if (self.role === 'relay') {
    if (bestRelay && compareRelays(bestRelay, self) < 0) return { kind: 'step-down', relay: bestRelay }
    return { kind: 'stay' }
  }
  if (bestRelay) {
    if (self.role === 'client' && self.relayId === bestRelay.nodeId) return { kind: 'stay' }
    return { kind: 'join', relay: bestRelay }
  }
  if (self.role === 'client') return { kind: 'stay' }
  if (!input.windowOver) return { kind: 'wait', for: null }

  // A client whose relay we cannot see may have lost it too and just not noticed yet (its
  // advert is from before): it is a candidate, or two of us could promote at once.
  const alive = new Set(peers.map((p) => p.nodeId))
  const orphaned = (p: Advert) => p.role === 'client' && (p.relayId === null || !alive.has(p.relayId))
  const candidates = [self, ...peers.filter((p) => (p.role === 'electing' || orphaned(p)) && !input.skipped?.has(p.nodeId))].sort(
    compareCandidates,
  )
  const first = candidates[0]!
  if (first.nodeId === self.nodeId) {
    // Exactly one above the highest seen, never more (term.ts). With every input at most
    // MAX_TERM this is at most MAX_TERM + 1, still exact; the coordinator refuses that one.
    const maxTerm = Math.max(input.knownTerm, ...peers.map((p) => p.term))
    return { kind: 'promote', term: maxTerm + 1 }
  }
  return { kind: 'wait', for: first.nodeId }
}
