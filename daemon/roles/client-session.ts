/**
 * The client side of the roles: joining a relay and following it, the roster it sends, the
 * term its welcome and rosters carry, and noticing when its link goes (and whether it named
 * this machine or another as its successor). What to do then is the coordinator's decision.
 */
import type { Advert, Typing } from '../../shared/index.js'
import { applyRoster, type RosterView } from '../relay/index.js'
import type { Follower } from '../replica/index.js'
import { follow } from './client-link.js'
import type { CoordinatorDeps } from './deps.js'

export type ClientSessionDeps = Pick<
  CoordinatorDeps,
  'me' | 'replica' | 'outbox' | 'directory' | 'tls' | 'log' | 'localPresence' | 'saveTerm'
>

/** Named by a relay that is leaving cleanly; acted on when its link closes. */
export interface Handover {
  successor: string
  term: number
}

/** What the session needs from the role state machine it runs under. */
export interface ClientSessionOwner {
  /** The newest term this machine knows. */
  term(): number
  /** Raises it to the relay's (never lowers it). */
  setTerm(term: number): void
  /** Whether a link that has just opened is still wanted: not stopping, and not the relay meanwhile. */
  wanted(): boolean
  /** Now following a relay: the role becomes client. */
  joined(): void
  /** The roster changed. */
  changed(): void
  /** Someone on another machine started or stopped typing. */
  typing(t: Typing): void
  /**
   * The relay's link closed; `relayId` is who it was, `handover` whom it named to follow it,
   * `silent` whether it was dropped for missed heartbeats rather than closed by the relay's side,
   * `heartbeatMs` the link's heartbeat period (link/heartbeat.ts).
   */
  lost(relayId: string | null, handover: Handover | null, why: string, silent: boolean, heartbeatMs: number): void
  /** We refused the relay (it sent what an honest relay never sends): not to be joined again for a while. */
  refused(relayId: string, code: string): void
}

export class ClientSession {
  /** The link to the relay while this machine is its client. */
  follower: Follower | null = null
  /** The relay's roster, assembled from its frames. */
  #roster: RosterView | null = null
  #handover: Handover | null = null

  constructor(
    private readonly deps: ClientSessionDeps,
    private readonly owner: ClientSessionOwner,
  ) {}

  get roster(): RosterView | null {
    return this.#roster
  }

  /** The relay followed: as its roster says, or its welcome before the first roster. */
  get relayId(): string | null {
    return this.#roster?.relayId ?? this.follower?.welcome?.relayId ?? null
  }

  /** The relay's file limit as it said in its welcome. */
  get relayMaxFileBytes(): number | undefined {
    return this.follower?.welcome?.maxFileBytes
  }

  /** Forgets a roster left from an earlier relay. */
  dropRoster(): void {
    this.#roster = null
  }

  sendTyping(t: Typing): void {
    if (this.follower?.conn.open) this.follower.conn.send(t)
  }

  /** Who has a page open here changed: tell the relay. */
  presenceChanged(): void {
    if (this.follower) this.follower.conn.send({ type: 'presence', ...this.deps.localPresence() })
  }

  close(): void {
    this.follower?.conn.close(1001, 'shutting down')
  }

  async join(relay: Advert): Promise<void> {
    const { directory, log } = this.deps
    const addr = directory.addressOf(relay.nodeId)
    if (!addr) return
    let follower: Follower
    try {
      // A refusal of its welcome as of its entries: either way it is passed over (coordinator.ts).
      // The node id we dialled and pinned, never the relay's word for itself: a liar must not
      // get an honest machine passed over by naming it in its welcome.
      const refused = (code: string) => this.owner.refused(relay.nodeId, code)
      follower = await follow(this.deps.tls, { ...addr, nodeId: relay.nodeId }, this.deps.replica, this.deps.me, log, refused)
    } catch (err) {
      log.warn({ err: (err as Error).message, relay: relay.nodeId }, 'could not join the relay; looking again')
      directory.markUnreachable(relay.nodeId)
      return
    }
    if (!this.owner.wanted() || !follower.conn.open) return follower.conn.close(1000, 'no longer needed')
    // Listeners first, before any await: a close in between must not leave us a client of nobody.
    this.follower = follower
    this.listen(follower)
    this.owner.setTerm(Math.max(this.owner.term(), follower.welcome!.term))
    this.deps.outbox.setRoute(
      (s) => follower.conn.send({ type: 'submit', submission: s }),
      (offer) => follower.conn.sendFlushed({ type: 'offer', ...offer }),
    )
    this.owner.joined()
    follower.conn.send({ type: 'presence', ...this.deps.localPresence() })
    await this.deps.saveTerm(this.owner.term())
    log.info({ relay: relay.nodeId, name: relay.name, term: this.owner.term(), head: this.deps.replica.head }, 'joined the relay')
  }

  private listen(follower: Follower): void {
    follower.on('roster', (r) => {
      this.#roster = applyRoster(this.#roster, r)
      this.deps.directory.learnFromRoster(r.peers)
      if (r.term > this.owner.term()) {
        this.owner.setTerm(r.term)
        void this.deps.saveTerm(r.term).catch((err) => this.deps.log.error({ err }, 'saving the term failed'))
      }
      this.owner.changed()
    })
    follower.on('reject', (id, code, message) => void this.deps.outbox.rejected(id, code, message))
    follower.on('closed', (why) => this.lostRelay(follower, why))
    follower.on('handover', (successor, term) => {
      this.#handover = { successor, term }
    })
    follower.on('typing', (t) => this.owner.typing(t))
  }

  private lostRelay(follower: Follower, why: string): void {
    if (this.follower !== follower) return
    const lost = this.relayId
    this.follower = null
    this.#roster = null
    this.deps.outbox.setRoute(null)
    const handover = this.#handover
    this.#handover = null
    this.owner.lost(lost, handover, why, follower.conn.silent, follower.conn.heartbeatMs)
  }
}
