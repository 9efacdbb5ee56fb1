/**
 * The role state machine. A tick (every 500 ms while electing, every 2 s as relay) probes the
 * neighbours, asks `decide`, and acts; link events (welcome, close) move a client at once.
 */
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { PROTOCOL_VERSION, type Advert, type Presence, type Role, type Typing } from '../../shared/index.js'
import type { PeerDirectory } from '../discovery/index.js'
import { decide } from '../election/index.js'
import type { PeerConnection } from '../link/index.js'
import type { Outbox } from '../outbox/index.js'
import { Relay, applyRoster, type RosterView } from '../relay/index.js'
import type { Follower, Replica } from '../replica/index.js'
import { follow } from './client-link.js'

export const DISCOVERY_WINDOW_MS = 3000
export const FAILOVER_WINDOW_MS = 1500
const WAIT_LIMIT_MS = 3000
const ELECTING_TICK_MS = 500
const SETTLED_TICK_MS = 2000

export interface Identity {
  nodeId: string
  name: string
  network: string
  startedAt: number
  peerPort: number
}

export interface CoordinatorDeps {
  me: Identity
  replica: Replica
  outbox: Outbox
  directory: PeerDirectory
  log: Logger
  /** Users with a page open on this machine. */
  /** Who has a page open on this machine, and who of them is away. */
  localPresence: () => Omit<Presence, 'type'>
  /** Whether this machine has a shared file's bytes (the relay orders no message without them). */
  hasBlob: (sha256: string) => Promise<boolean>
  /** This daemon's own file limit, for when it is the relay. */
  maxFileBytes: number
  /** Highest term this machine has seen before it started (persisted). */
  savedTerm: number
  saveTerm: (term: number) => Promise<void>
}

export interface CoordinatorEvents {
  /** Role, relay or roster changed: the status shown to people changed. */
  changed: []
  /** The advert changed in a way neighbours should hear about over mDNS. */
  advert: [Advert]
  /** Someone on another machine started or stopped typing. */
  typing: [Typing]
}

export class Coordinator extends EventEmitter<CoordinatorEvents> {
  role: Role = 'electing'
  term: number
  relay: Relay | null = null
  follower: Follower | null = null
  /** As a client: the relay's roster, assembled from its frames. */
  #clientRoster: RosterView | null = null
  #windowEndsAt = 0
  #timer: NodeJS.Timeout | null = null
  #ticking = false
  #stopped = false
  /** Named by a relay that is leaving cleanly; acted on when its link closes. */
  #handover: { successor: string; term: number } | null = null
  /** Consecutive ticks that decided to promote: one more fresh look before acting. */
  #promoteVotes = 0
  /** The candidate we wait for to promote, and since when; passed over after WAIT_LIMIT_MS. */
  #waiting: { nodeId: string; since: number } | null = null
  readonly #skipped = new Set<string>()

  constructor(private readonly d: CoordinatorDeps) {
    super()
    this.term = d.savedTerm
  }

  /** Tells the other machines that someone here started or stopped typing; dropped when there is no relay. */
  sendTyping(t: Typing): void {
    if (this.relay) this.relay.passTyping(t, null)
    else if (this.follower?.conn.open) this.follower.conn.send(t)
  }

  /** Who is on the network: the relay's own live list, or what a client was told. */
  get roster(): RosterView | null {
    return this.relay ? this.relay.roster() : this.#clientRoster
  }

  /** The relay's file limit as it said in its welcome; this daemon's own while it is the relay or alone. */
  get maxFileBytes(): number {
    return this.role === 'client' ? (this.follower?.welcome?.maxFileBytes ?? this.d.maxFileBytes) : this.d.maxFileBytes
  }

  get relayId(): string | null {
    return this.role === 'relay' ? this.d.me.nodeId : this.role === 'client' ? (this.roster?.relayId ?? this.follower?.welcome?.relayId ?? null) : null
  }

  advert(): Advert {
    return {
      proto: PROTOCOL_VERSION, network: this.d.me.network, nodeId: this.d.me.nodeId, name: this.d.me.name,
      role: this.role, term: this.term, head: this.d.replica.head, startedAt: this.d.me.startedAt,
      peerPort: this.d.me.peerPort, relayId: this.relayId,
    }
  }

  start(): void {
    this.#windowEndsAt = Date.now() + DISCOVERY_WINDOW_MS
    this.emit('advert', this.advert())
    this.schedule(0)
  }

  /** Something new was seen (an mDNS sighting): look again now rather than at the next tick. */
  nudge(): void {
    if (this.role !== 'client') this.schedule(0)
  }

  /** A neighbour opened a link to us. */
  onLink(conn: PeerConnection): void {
    if (this.relay) this.relay.attach(conn)
    else conn.fail('not_relay', 'This daemon is not the relay; look for the relay again.')
  }

  /** Who has a page open here changed. */
  presenceChanged(): void {
    if (this.relay) this.relay.broadcastRoster()
    else if (this.follower) this.follower.conn.send({ type: 'presence', ...this.d.localPresence() })
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.d.outbox.setRoute(null)
    if (this.relay) await this.relay.handover()
    this.relay?.stop('The relay is shutting down.')
    this.follower?.conn.close(1001, 'shutting down')
  }

  private schedule(ms: number): void {
    if (this.#stopped) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.tick(), ms)
    this.#timer.unref()
  }

  private async tick(): Promise<void> {
    if (this.#ticking || this.#stopped) return
    this.#ticking = true
    try {
      if (this.role !== 'client') await this.electionStep()
    } catch (err) {
      this.d.log.error({ err }, 'election step failed; trying again')
    } finally {
      this.#ticking = false
      if (this.role !== 'client') this.schedule(this.role === 'relay' ? SETTLED_TICK_MS : ELECTING_TICK_MS)
    }
  }

  private async electionStep(): Promise<void> {
    await this.d.directory.probeAll(800)
    if (this.#stopped || this.role === 'client') return
    const peers = this.d.directory.alive()
    const decision = decide({
      self: this.advert(), peers, windowOver: Date.now() >= this.#windowEndsAt, knownTerm: this.term, skipped: this.#skipped,
    })
    if (decision.kind === 'stay' && this.relay) await this.outrankedTerms(peers)
    this.#promoteVotes = decision.kind === 'promote' ? this.#promoteVotes + 1 : 0
    this.trackWaiting(decision.kind === 'wait' ? decision.for : null)
    switch (decision.kind) {
      // Promote on the second tick in a row only: the first may rest on a neighbour's advert
      // from just before it promoted itself, and two relays at once cost a merge.
      case 'promote': return this.#promoteVotes >= 2 ? this.becomeRelay(decision.term) : undefined
      case 'join': return this.join(decision.relay)
      case 'step-down':
        this.d.log.warn({ winner: decision.relay.nodeId, term: decision.relay.term }, 'another relay outranks us; stepping down')
        // Routes first: nothing of ours may be ordered by a relay that is going away.
        this.d.outbox.setRoute(null)
        this.relay?.stop('Another relay took over; reconnect to it.')
        this.relay = null
        this.setRole('electing')
        return this.join(decision.relay)
      default:
    }
  }

  /**
   * We won against relays whose term is not below ours, or their clients joined us still
   * carrying a newer term: take a term above all of them, so every replica agrees on one.
   */
  private async outrankedTerms(peers: Advert[]): Promise<void> {
    const rivalRelay = Math.max(0, ...peers.filter((p) => p.role === 'relay').map((p) => p.term))
    const newest = Math.max(0, ...peers.map((p) => p.term))
    if ((rivalRelay < this.term && newest <= this.term) || !this.relay) return
    this.term = Math.max(rivalRelay, newest) + 1
    await this.d.saveTerm(this.term)
    this.relay.raiseTerm(this.term)
    this.d.log.info({ term: this.term }, 'outranked a relay of the same or a newer term; this relay takes a new term')
    this.emit('advert', this.advert())
    this.emit('changed')
  }

  /** A candidate that outranks us but never promotes (it sees a relay we cannot) is passed over. */
  private trackWaiting(nodeId: string | null): void {
    if (nodeId === null) {
      this.#waiting = null
      return
    }
    if (this.#waiting?.nodeId !== nodeId) this.#waiting = { nodeId, since: Date.now() }
    else if (Date.now() - this.#waiting.since > WAIT_LIMIT_MS) {
      this.d.log.warn({ candidate: nodeId }, 'the first candidate did not take the relay role; passing it over')
      this.#skipped.add(nodeId)
      this.#waiting = null
    }
  }

  private async becomeRelay(term: number): Promise<void> {
    this.term = term
    await this.d.saveTerm(term)
    const relay = new Relay(this.d.replica, term, { ...this.d.me, presence: this.d.localPresence, hasBlob: this.d.hasBlob, maxFileBytes: this.d.maxFileBytes }, this.d.log.child({ role: 'relay', term }), {
      roster: () => this.emit('changed'),
      typing: (t) => this.emit('typing', t),
    })
    this.relay = relay
    this.d.outbox.setRoute((s) => {
      void relay.order(s).then((o) => (o.ok ? undefined : this.d.outbox.rejected(s.id, o.code, o.message)))
    })
    this.#clientRoster = null
    this.setRole('relay')
    this.d.log.info({ term, head: this.d.replica.head }, 'this daemon is now the relay')
  }

  private async join(relay: Advert): Promise<void> {
    const addr = this.d.directory.addressOf(relay.nodeId)
    if (!addr) return
    let follower: Follower
    try {
      follower = await follow(addr.host, addr.port, this.d.replica, this.d.me, this.d.log)
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message, relay: relay.nodeId }, 'could not join the relay; looking again')
      this.d.directory.markUnreachable(relay.nodeId)
      return
    }
    if (this.#stopped || this.role === 'relay' || !follower.conn.open) return follower.conn.close(1000, 'no longer needed')
    // Listeners first, before any await: a close in between must not leave us a client of nobody.
    this.follower = follower
    follower.on('roster', (r) => {
      this.#clientRoster = applyRoster(this.#clientRoster, r)
      this.d.directory.learnFromRoster(r.peers)
      if (r.term > this.term) {
        this.term = r.term
        void this.d.saveTerm(r.term).catch((err) => this.d.log.error({ err }, 'saving the term failed'))
      }
      this.emit('changed')
    })
    follower.on('reject', (id, code, message) => void this.d.outbox.rejected(id, code, message))
    follower.on('closed', (why) => this.lostRelay(follower, why))
    follower.on('handover', (successor, term) => { this.#handover = { successor, term } })
    follower.on('typing', (t) => this.emit('typing', t))
    this.term = Math.max(this.term, follower.welcome!.term)
    this.d.outbox.setRoute((s) => follower.conn.send({ type: 'submit', submission: s }))
    this.setRole('client')
    follower.conn.send({ type: 'presence', ...this.d.localPresence() })
    await this.d.saveTerm(this.term)
    this.d.log.info({ relay: relay.nodeId, name: relay.name, term: this.term, head: this.d.replica.head }, 'joined the relay')
  }

  private lostRelay(follower: Follower, why: string): void {
    if (this.follower !== follower) return
    const lost = this.relayId
    this.follower = null
    this.#clientRoster = null
    this.d.outbox.setRoute(null)
    if (this.#stopped) return
    // Until it answers a probe again, it is not a relay we could join.
    if (lost) this.d.directory.markUnreachable(lost)
    const handover = this.#handover
    this.#handover = null
    if (handover?.successor === this.d.me.nodeId) {
      this.d.log.info({ term: handover.term }, 'the relay handed over to us')
      void this.becomeRelay(Math.max(handover.term, this.term + 1)).catch((err) => this.d.log.error({ err }, 'taking over failed'))
      this.schedule(SETTLED_TICK_MS)
      return
    }
    this.d.log.warn({ why, successor: handover?.successor }, handover ? 'the relay left; joining its successor' : 'lost the relay; electing')
    // After a handover the successor promotes at once; otherwise give every replica a moment
    // to notice the loss too, so they rank the same set of candidates.
    this.#windowEndsAt = Date.now() + FAILOVER_WINDOW_MS
    this.setRole('electing')
    this.schedule(handover ? 100 : 0)
  }

  private setRole(role: Role): void {
    this.role = role
    this.#skipped.clear()
    this.#promoteVotes = 0
    this.emit('advert', this.advert())
    this.emit('changed')
  }
}
