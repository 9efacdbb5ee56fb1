/**
 * A machine without the network key, looking for a way in. Every few seconds it asks each
 * SO-CHAT machine it has seen (`POST /peer/v1/join`, over TLS with its machine key) and reads
 * the answers:
 *
 *   200 admitted   a person let it in (or the network is open): the key, sealed to this
 *                  machine's key (seal.ts); opened, saved, done
 *   202 asking     a member has the request on its Network panel; keep asking
 *   403 refused    a person refused it there
 *   409 no key     that machine has no network either
 *
 * When, after the discovery window, no machine that holds a network answered, this one
 * founds a network: it makes the key. Two fresh machines started together would otherwise
 * wait for each other for ever, so among machines without a network the lowest node id
 * founds, and the others ask it. `roundOutcome` is that decision, as a pure function.
 */
export type JoinAnswer = 'admitted' | 'asking' | 'refused' | 'no-network' | 'unreachable'

export type RoundOutcome = { kind: 'found' } | { kind: 'wait' } | { kind: 'asking'; refusedBy: number }

export interface Round {
  selfId: string
  /** The discovery window after start has passed. */
  windowOver: boolean
  /** Each machine asked this round: its node id (when it answered TLS) and what it said. */
  answers: { nodeId: string | null; answer: JoinAnswer }[]
}

export function roundOutcome(round: Round): RoundOutcome {
  const holders = round.answers.filter((a) => a.answer === 'asking' || a.answer === 'refused')
  if (holders.length > 0) return { kind: 'asking', refusedBy: holders.filter((a) => a.answer === 'refused').length }
  if (!round.windowOver) return { kind: 'wait' }
  const keyless = round.answers.filter((a) => a.answer === 'no-network' && a.nodeId !== null).map((a) => a.nodeId as string)
  return keyless.every((id) => round.selfId < id) ? { kind: 'found' } : { kind: 'wait' }
}
