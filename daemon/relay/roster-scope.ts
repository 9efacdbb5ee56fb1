/**
 * Which machines a client's roster names. Naming every machine to every client costs
 * Θ(machines²) bytes: at 10,000 machines, 20 GB through TLS while a floor starts, which is
 * what kept 10,000 links from going live in seconds (bench/README.md, "10,000 links"). A
 * client needs far less than every machine:
 *
 * - **the relay**, always;
 * - **every machine with people on it**: who is online or away, by account, is read from
 *   these lines (daemon/status.ts), and a file is fetched from the machine it came from
 *   when the relay lacks it (daemon/files/sharing.ts);
 * - **the likeliest next relays**: the best ROSTER_CANDIDATES of the rest in the election's
 *   own order (election/rank.ts `compareCandidates`: the longest log, then the oldest, then
 *   the lowest id), so that after the relay dies a client without mDNS (`--peer`, a network
 *   that drops multicast) still knows whom to probe, and they are the same few machines for
 *   every client. Live links share the relay's head, so the order is by start time and id
 *   and does not churn as messages flow.
 *
 * The rest are counted (`machines` in the frame), not named. A network of a few dozen
 * machines is named in full, as before.
 */
import { ROSTER_CANDIDATES, type PeerSummary } from '../../shared/index.js'
import { compareCandidates } from '../election/index.js'

/** The lines a client's roster carries, the relay's first; `others` are every linked client's. */
export function rosterScope(relay: PeerSummary, others: readonly PeerSummary[], candidates = ROSTER_CANDIDATES): PeerSummary[] {
  const occupied = others.filter((p) => p.users.length > 0)
  const rest = others.filter((p) => p.users.length === 0).sort(compareCandidates)
  return [relay, ...occupied, ...rest.slice(0, Math.max(0, candidates))]
}
