/**
 * How long the roles wait, and why (coordinator.ts runs on these). The election itself is a
 * pure function of the adverts (election/rank.ts); what keeps it to one relay in time is when
 * it looks: a fresh round of probes at every tick, two ticks in a row before promoting, and a
 * window after losing a relay only when the loss may not be known everywhere yet.
 */
import { HEARTBEAT_MS } from '../link/heartbeat.js'

/**
 * After a relay fell silent (its link dropped for missed heartbeats): how long every replica is
 * given to notice it too. Heartbeats find silence up to HEARTBEAT_MS apart on different
 * machines. A relay whose link was closed by its side (its process died: the kernel's FIN/RST
 * reached every follower in the same few milliseconds) is replaced at once: the close was
 * queued behind the frames before it (replica/follower.ts), so each replica's head is final,
 * and the two promote votes, each on a fresh round of probes, are what keep one relay.
 */
export const FAILOVER_WINDOW_MS = 1500

/**
 * The window after a silent relay on links at `heartbeatMs`: FAILOVER_WINDOW_MS at the
 * shortest period, longer in proportion where the relay asked for a longer one (a network of
 * thousands of machines, link/heartbeat.ts), since silence is then noticed up to that much
 * further apart on different machines.
 */
export function failoverWindow(heartbeatMs: number): number {
  return Math.round(FAILOVER_WINDOW_MS * Math.max(1, heartbeatMs / HEARTBEAT_MS))
}
/** A candidate that outranks us but has not promoted after this is passed over (it may see a relay we cannot). */
export const WAIT_LIMIT_MS = 3000
/**
 * While electing. The second promote vote comes one tick after the first, on fresh probes
 * (a LAN answers in milliseconds); 250 ms rather than 500 halves what a failover and a cold
 * start wait for it, and a follower waiting for the candidate sees it as relay sooner.
 */
export const ELECTING_TICK_MS = 250
/** As relay: how often it looks for a rival relay (two relays merge, election/rank.ts). */
export const SETTLED_TICK_MS = 2000
/**
 * How long a relay this machine refused (an entry not signed by its author, a rewritten or
 * forked order, an absurd welcome) is passed over: neither joined nor ranked as a candidate.
 * Without it the machine rejoins at once (the relay still advertises itself) and is refused
 * again, several times a second, and never follows anyone else. Then it is tried again, as
 * it may have been restarted honest; a relay still lying is refused again and passed over for
 * twice as long, up to PASS_OVER_MAX_MS. The first time is short so that a refusal we were
 * wrong about (a bug of ours, not a liar) splits this machine off for half a minute, not ten.
 */
export const PASS_OVER_MS = 30_000
export const PASS_OVER_MAX_MS = 10 * 60_000
