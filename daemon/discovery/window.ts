/**
 * How long a starting daemon looks for other SO-CHAT machines before it founds a network
 * (admission/newcomer.ts) and takes the relay's role (roles/coordinator.ts).
 *
 * Looking costs the first person at a lone machine their first seconds: sign-up needs a relay,
 * so it waits out the window. Looking longer than it takes to be answered buys nothing, so the
 * window is as long as the ways of finding others need:
 * - **nothing to look with** (`--no-mdns` and no `--peer`): no window. Nobody can be found;
 *   whoever knows this machine's address links to it, as to any relay.
 * - **mDNS**: a running SO-CHAT answers our first query within milliseconds on a LAN (a
 *   Wi-Fi station in power save within a few hundred), and another SO-CHAT starting at the
 *   same moment sends its own query for our service, which we hear. If neither happens within
 *   QUIET_MS, we are alone: the window ends. If either happens, the window lasts until every
 *   machine heard (by its address: the source of its query, the host of its record) has
 *   answered a probe as a member of our network, and at least QUIET_MS (the time a machine
 *   starting with us takes to be heard): then every one of them ranks the same adverts, and the
 *   election (election/rank.ts, two promote votes on fresh probes) picks one relay, with no
 *   more to learn by waiting. A machine heard that does not answer as a member (a stranger, a
 *   machine gone, a query we cannot place) keeps the full DISCOVERY_WINDOW_MS, as before.
 * - **`--peer` addresses**: the full window, as before: those machines were named on purpose
 *   and may simply be slower to start.
 * A query lost on a bad Wi-Fi is what the full window never covered either (it sent one query
 * too); the network heals it the same way: two relays of one network merge (election/rank.ts),
 * and a machine that founded a network of its own while others hold one asks to join theirs
 * (admission/newcomer.ts, the stale key).
 */

export const DISCOVERY_WINDOW_MS = 3000
export const QUIET_MS = 800

export type LookingWith = 'nothing' | 'mdns' | 'peers'

export class DiscoveryWindow {
  readonly #startedAt: number
  #heard = false
  /** Addresses of the machines heard while looking; '' for one heard without an address. */
  readonly #heardFrom = new Set<string>()
  /** Every machine heard has answered a probe as a member: the ranking is decided. */
  #answered = false

  constructor(
    private readonly lookingWith: LookingWith,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now()
  }

  /**
   * Another SO-CHAT answered or asked (a sighting, its query for our service): look the whole
   * window. Once the window is over this changes nothing: what was decided at its end (a
   * network founded, the relay taken) stands, and a machine heard later joins us or merges.
   */
  heard(from = ''): void {
    if (this.over()) return
    this.#heard = true
    if (!this.#heardFrom.has(from)) this.#answered = false
    this.#heardFrom.add(from)
  }

  /**
   * After a round of probes: the hosts whose probe was answered by a member of our network. The
   * window may end early once every machine heard is among them (see the top of this file).
   */
  answeredBy(hosts: ReadonlySet<string>): void {
    if (this.over() || !this.#heard) return
    this.#answered = [...this.#heardFrom].every((h) => hosts.has(h))
  }

  /** Whether this machine heard nothing of another SO-CHAT while it looked. */
  get quiet(): boolean {
    return !this.#heard
  }

  /** When the window ends (ms since the epoch), as far as is known now. */
  endsAt(): number {
    if (this.#heard && this.#answered && this.lookingWith === 'mdns') return this.#startedAt + QUIET_MS
    if (this.#heard || this.lookingWith === 'peers') return this.#startedAt + DISCOVERY_WINDOW_MS
    return this.#startedAt + (this.lookingWith === 'nothing' ? 0 : QUIET_MS)
  }

  over(): boolean {
    return this.now() >= this.endsAt()
  }

  /** How long until it ends (0 once over): when to look again so as not to wait a tick past it. */
  remaining(): number {
    return Math.max(0, this.endsAt() - this.now())
  }
}
