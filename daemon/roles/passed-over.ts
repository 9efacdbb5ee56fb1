/**
 * The machines an election leaves out, and why. Two kinds, kept apart because they end
 * differently:
 * - a relay this machine refused (an entry not signed by its author, a rewritten order, an
 *   absurd welcome) is passed over for PASS_OVER_MS, doubled at each refusal again up to
 *   PASS_OVER_MAX_MS: it is tried again later, as it may have been restarted honest;
 * - a candidate that outranks us but does not take the relay role within WAIT_LIMIT_MS (it
 *   sees a relay we cannot) is skipped until this machine's role changes.
 */
import type { Logger } from 'pino'
import { PASS_OVER_MAX_MS, PASS_OVER_MS, WAIT_LIMIT_MS } from './timing.js'

export class PassedOver {
  /** Relays we refused: until when they are passed over, and how many times we refused them. */
  readonly #refused = new Map<string, { until: number; strikes: number }>()
  /** Candidates that kept us waiting: the election's `skipped`. */
  readonly skipped = new Set<string>()
  /** The candidate we wait for to promote, and since when. */
  #waiting: { nodeId: string; since: number } | null = null

  constructor(private readonly log: Logger) {}

  refuse(relayId: string, code: string): void {
    const strikes = (this.#refused.get(relayId)?.strikes ?? 0) + 1
    const ms = Math.min(PASS_OVER_MS * 2 ** (strikes - 1), PASS_OVER_MAX_MS)
    this.#refused.set(relayId, { until: Date.now() + ms, strikes })
    this.log.warn({ relay: relayId, code, seconds: ms / 1000, strikes }, 'passing over a relay we refused; electing another')
  }

  refused(nodeId: string): boolean {
    const refused = this.#refused.get(nodeId)
    return refused !== undefined && Date.now() < refused.until
  }

  /** The election says we wait for `nodeId` (null: for nobody); one that keeps us waiting too long is skipped. */
  waitingFor(nodeId: string | null): void {
    if (nodeId === null) {
      this.#waiting = null
      return
    }
    if (this.#waiting?.nodeId !== nodeId) this.#waiting = { nodeId, since: Date.now() }
    else if (Date.now() - this.#waiting.since > WAIT_LIMIT_MS) {
      this.log.warn({ candidate: nodeId }, 'the first candidate did not take the relay role; passing it over')
      this.skipped.add(nodeId)
      this.#waiting = null
    }
  }
}
