/**
 * How often a link's dialling end pings, as the relay sets it for the size of its network
 * (issue 18, round five).
 *
 * The relay answers every ping and pings nobody (connection.ts `Heartbeat`): N links pinging
 * every P cost it N / P pongs a second, each a TLS record and a write of its own. At 10,000
 * links and 2 s that was 5,000 pongs a second, 37 % of one core with nothing happening, and a
 * quarter of its busy time while they all connected (bench/README.md). So the period grows
 * with the machines linked, keeping the relay near PONGS_PER_S: 2 s up to 2,000 machines
 * (every office, lab or school this is for: nothing changes there), one more second per
 * thousand, at most 10 s.
 *
 * The price is how soon silence is noticed: HEARTBEAT_MISSES periods, so 6 s up to 2,000
 * machines and 30 s at 10,000, for a cut cable or a frozen machine only. A relay whose process
 * dies closes every link at once (its kernel's FIN/RST), and that failover never waits for
 * heartbeats (roles/timing.ts).
 */
import { HEARTBEAT_PERIOD_MAX_MS, HEARTBEAT_PERIOD_MIN_MS } from '../../shared/index.js'

/** Every link's period until its relay says otherwise (`welcome`, `roster`). */
export const HEARTBEAT_MS = HEARTBEAT_PERIOD_MIN_MS
/** Periods of silence after which either end drops a link. */
export const HEARTBEAT_MISSES = 3
/** The pongs a second a relay's heartbeat period aims at (~7 % of a core here). */
export const PONGS_PER_S = 1000

/** The period a relay with `machines` linked (itself included) asks its links for: whole seconds. */
export function heartbeatFor(machines: number): number {
  const ms = Math.ceil(machines / PONGS_PER_S) * 1000
  return Math.min(HEARTBEAT_PERIOD_MAX_MS, Math.max(HEARTBEAT_PERIOD_MIN_MS, ms))
}
