/**
 * The role state machine. A tick (every 250 ms while electing, every 2 s as relay) probes the
 * neighbours, asks `decide`, and acts; link events (welcome, close) move a client at once.
 * Following a relay as its client is the ClientSession's (client-session.ts); what to do when
 * its link goes (take over, or elect) is decided here.
 */
import { EventEmitter } from 'node:events'
import { MAX_TERM, PROTOCOL_VERSION, type Advert, type Role, type Typing } from '../../shared/index.js'
import { decide, isTerm, raisedTerm } from '../election/index.js'
import type { BlobGate } from '../files/index.js'
import type { PeerConnection } from '../link/index.js'
import { Relay, type RosterView } from '../relay/index.js'
import { ClientSession, type Handover } from './client-session.js'
import type { CoordinatorDeps } from './deps.js'
import { PassedOver } from './passed-over.js'
import { ELECTING_TICK_MS, failoverWindow, SETTLED_TICK_MS } from './timing.js'

export { FAILOVER_WINDOW_MS, PASS_OVER_MAX_MS, PASS_OVER_MS } from './timing.js'

export interface CoordinatorEvents {
  /** Role, relay or roster changed: the status shown to people changed. */
  changed: []
  /** The advert changed in a way neighbours should hear about over mDNS. */
  advert: [Advert]
  /** Someone on another machine started or stopped typing. */
  typing: [Typing]
}

export const NOT_RELAY_GATE: BlobGate = {
  admit: () => ({ ok: false, code: 'not_relay', message: 'This daemon is not the relay; send files to the relay.' }),
  stored: () => undefined,
}

export class Coordinator extends EventEmitter<CoordinatorEvents> {
  role: Role = 'electing'
  term: number
  relay: Relay | null = null
  readonly #session: ClientSession
  #timer: NodeJS.Timeout | null = null
  /** After losing a relay without a handover: until when every replica is given to notice it too. */
  #failoverEndsAt = 0
  #ticking = false
  /** A nudge came during a tick: look again the moment it ends, not a whole tick later. */
  #nudged = false
  #stopped = false
  /** Consecutive ticks that decided to promote: one more fresh look before acting. */
  #promoteVotes = 0
  readonly #passedOver: PassedOver

  constructor(private readonly deps: CoordinatorDeps) {
    super()
    this.term = deps.savedTerm
    this.#passedOver = new PassedOver(deps.log)
    this.#session = new ClientSession(deps, {
      term: () => this.term,
      setTerm: (term) => {
        this.term = term
      },
      wanted: () => !this.#stopped && this.role !== 'relay',
      joined: () => this.setRole('client'),
      changed: () => this.emit('changed'),
      typing: (t) => this.emit('typing', t),
      lost: (relayId, handover, why, silent, heartbeatMs) => this.lostRelay(relayId, handover, why, silent, heartbeatMs),
      refused: (relayId, code) => this.passOver(relayId, code),
    })
  }

  /** Tells the other machines that someone here started or stopped typing; dropped when there is no relay. */
  sendTyping(t: Typing): void {
    if (this.relay) this.relay.passTyping(t, null)
    else this.#session.sendTyping(t)
  }

  /** Who is on the network: the relay's own live list, or what a client was told. */
  get roster(): RosterView | null {
    return this.relay ? this.relay.roster() : this.#session.roster
  }

  /** The relay's file limit as it said in its welcome; this daemon's own while it is the relay or alone. */
  get maxFileBytes(): number {
    return this.role === 'client' ? (this.#session.relayMaxFileBytes ?? this.deps.maxFileBytes) : this.deps.maxFileBytes
  }

  get relayId(): string | null {
    return this.role === 'relay' ? this.deps.me.nodeId : this.role === 'client' ? this.#session.relayId : null
  }

  advert(): Advert {
    return {
      proto: PROTOCOL_VERSION,
      network: this.deps.me.network,
      nodeId: this.deps.me.nodeId,
      name: this.deps.me.name,
      role: this.role,
      term: this.term,
      head: this.deps.replica.head,
      startedAt: this.deps.me.startedAt,
      peerPort: this.deps.me.peerPort,
      relayId: this.relayId,
    }
  }

  start(): void {
    this.emit('advert', this.advert())
    this.schedule(0)
  }

  /** Something new was seen (an mDNS sighting): look again now rather than at the next tick. */
  nudge(): void {
    if (this.role === 'client') return
    if (this.#ticking) this.#nudged = true
    else this.schedule(0)
  }

  /** A neighbour opened a link to us. */
  onLink(conn: PeerConnection): void {
    if (this.relay) this.relay.attach(conn)
    else conn.fail('not_relay', 'This daemon is not the relay; look for the relay again.')
  }

  /** Who may push files here: the relay's rule while this daemon is the relay, nobody otherwise (files go only to a relay). */
  blobGate(): BlobGate {
    return this.relay?.blobGate ?? NOT_RELAY_GATE
  }

  /** A machine was removed from the network: close any link with it now (a relay it was, or a client of ours). */
  cutOff(nodeId: string): void {
    this.deps.directory.markUnreachable(nodeId)
    this.relay?.cutOff(nodeId)
    if (this.#session.relayId === nodeId) this.#session.close()
  }

  /** Who has a page open here changed. */
  presenceChanged(): void {
    if (this.relay) this.relay.broadcastRoster()
    else this.#session.presenceChanged()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.deps.outbox.setRoute(null)
    if (this.relay) await this.relay.handover()
    this.relay?.stop('The relay is shutting down.')
    this.#session.close()
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
      this.deps.log.error({ err }, 'election step failed; trying again')
    } finally {
      this.#ticking = false
      const again = this.#nudged
      this.#nudged = false
      if (this.role !== 'client') this.schedule(again ? 0 : this.role === 'relay' ? SETTLED_TICK_MS : this.electingTickIn())
    }
  }

  /** While electing: every ELECTING_TICK_MS, and also the moment the discovery window ends. */
  private electingTickIn(): number {
    const left = this.deps.discoveryWindow.remaining()
    return left > 0 ? Math.min(ELECTING_TICK_MS, left) : ELECTING_TICK_MS
  }

  private votesToPromote(): number {
    return this.deps.discoveryWindow.quiet && this.deps.directory.seen().length === 0 ? 1 : 2
  }

  private async electionStep(): Promise<void> {
    await this.deps.directory.probeAll(800)
    if (this.#stopped || this.role === 'client') return
    this.deps.discoveryWindow.answeredBy(this.deps.directory.answeringHosts())
    const peers = this.deps.directory.alive().filter((p) => !this.#passedOver.refused(p.nodeId))
    const decision = decide({
      self: this.advert(),
      peers,
      windowOver: this.deps.discoveryWindow.over() && Date.now() >= this.#failoverEndsAt,
      knownTerm: this.term,
      skipped: this.#passedOver.skipped,
    })
    if (decision.kind === 'stay' && this.relay) await this.outrankedTerms(peers)
    this.#promoteVotes = decision.kind === 'promote' ? this.#promoteVotes + 1 : 0
    this.#passedOver.waitingFor(decision.kind === 'wait' ? decision.for : null)
    switch (decision.kind) {
      // Promote on the second tick in a row only: the first may rest on a neighbour's advert
      // from just before it promoted itself, and two relays at once cost a merge. A machine
      // that never saw nor heard another has no such advert to distrust: it promotes at once.
      case 'promote':
        return this.#promoteVotes >= this.votesToPromote() ? this.becomeRelay(decision.term) : undefined
      case 'join':
        return this.#session.join(decision.relay)
      case 'step-down':
        this.deps.log.warn({ winner: decision.relay.nodeId, term: decision.relay.term }, 'another relay outranks us; stepping down')
        // Routes first: nothing of ours may be ordered by a relay that is going away.
        this.deps.outbox.setRoute(null)
        this.relay?.stop('Another relay took over; reconnect to it.')
        this.relay = null
        this.setRole('electing')
        return this.#session.join(decision.relay)
      default:
    }
  }

  /**
   * We won against relays whose term is not below ours, or their clients joined us still
   * carrying a newer term: take a term above all of them, so every replica agrees on one.
   * Never past MAX_TERM (election/term.ts): a term that cannot grow is kept, and said.
   */
  private async outrankedTerms(peers: Advert[]): Promise<void> {
    if (!this.relay) return
    const next = raisedTerm(this.advert(), peers)
    if (next.kind === 'keep') return
    if (next.kind === 'absurd') {
      this.deps.log.error(
        { code: 'claim_absurd', term: this.term, highest: next.highest, max: MAX_TERM },
        'a term above ours leaves no term to take; keeping ours',
      )
      return
    }
    this.term = next.term
    await this.deps.saveTerm(this.term)
    this.relay.raiseTerm(this.term)
    this.deps.log.info({ term: this.term }, 'outranked a relay of the same or a newer term; this relay takes a new term')
    this.emit('advert', this.advert())
    this.emit('changed')
  }

  /** A relay we refused is neither joined nor a candidate for a while (passed-over.ts). */
  private passOver(relayId: string, code: string): void {
    this.#passedOver.refuse(relayId, code)
  }

  private async becomeRelay(term: number): Promise<void> {
    const { me, replica, outbox, log } = this.deps
    // Checked before anything is saved: a term past the bound would be ours for good.
    if (!isTerm(term)) {
      log.error({ code: 'claim_absurd', term, ours: this.term, max: MAX_TERM }, 'refusing to take a term past the bound; not promoting')
      return
    }
    this.term = term
    await this.deps.saveTerm(term)
    const relay = new Relay(
      replica,
      term,
      { ...me, presence: this.deps.localPresence, hasBlob: this.deps.hasBlob, maxFileBytes: this.deps.maxFileBytes },
      log.child({ role: 'relay', term }),
      {
        roster: () => this.emit('changed'),
        typing: (t) => this.emit('typing', t),
      },
    )
    this.relay = relay
    outbox.setRoute((s) => {
      void relay.order(s).then((o) => (o.ok ? undefined : outbox.rejected(s.id, o.code, o.message)))
    })
    this.#session.dropRoster()
    this.setRole('relay')
    // `alone`: the discovery window ended early because nothing of another SO-CHAT was heard (discovery/window.ts).
    const alone = this.deps.discoveryWindow.quiet
    log.info({ term, head: replica.head, alone, sinceStartMs: Date.now() - me.startedAt }, 'this daemon is now the relay')
  }

  /** The client session's relay went (its link closed): take over if it named us, else elect. */
  private lostRelay(lost: string | null, handover: Handover | null, why: string, silent = false, heartbeatMs = 0): void {
    if (this.#stopped) return
    // Until it answers a probe again, it is not a relay we could join.
    if (lost) this.deps.directory.markUnreachable(lost)
    if (handover?.successor === this.deps.me.nodeId) {
      // One above the newest term we know (our relay's, from its welcome and rosters), which
      // is what an honest relay names; a bigger number in its handover is not taken.
      this.deps.log.info({ term: handover.term, taking: this.term + 1 }, 'the relay handed over to us')
      void this.becomeRelay(this.term + 1).catch((err) => this.deps.log.error({ err }, 'taking over failed'))
      this.schedule(SETTLED_TICK_MS)
      return
    }
    this.deps.log.warn(
      { why, silent, successor: handover?.successor },
      handover ? 'the relay left; joining its successor' : 'lost the relay; electing',
    )
    // After a handover the successor promotes at once. A relay fallen silent: give every
    // replica a moment to notice the loss too, so they rank the same set of candidates. A
    // relay whose side closed the link: every replica knows already (FAILOVER_WINDOW_MS).
    this.#failoverEndsAt = silent ? Date.now() + failoverWindow(heartbeatMs) : 0
    this.setRole('electing')
    this.schedule(handover ? 100 : 0)
  }

  private setRole(role: Role): void {
    this.role = role
    this.#passedOver.skipped.clear()
    this.#promoteVotes = 0
    this.emit('advert', this.advert())
    this.emit('changed')
  }
}
