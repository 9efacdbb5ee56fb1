/**
 * The relay: links from client daemons (hello, catch-up, frames), ordering and fan-out. One
 * instance per term; a relay that steps down is stopped and a new one is made if this machine
 * is elected again. Its parts with a concern of their own live beside it: pacing.ts
 * (submissions at their machine's and account's pace), file-admission.ts (which files it
 * takes and which a message may name), catch-ups.ts (who is streamed the log),
 * roster-feed.ts (keeping clients' rosters up to date).
 */
import type { Logger } from 'pino'
import {
  actorOf,
  CATCH_UP_BATCH,
  type Entry,
  type Frame,
  type Hello,
  type OrderStatement,
  type Submission,
  type Typing,
} from '../../shared/index.js'
import { heartbeatFor, type PeerConnection } from '../link/index.js'
import type { Replica } from '../replica/index.js'
import { entriesFrame, entryChunks, entryFrames } from './chunk.js'
import { handshake } from './handshake.js'
import type { BlobGate } from '../files/index.js'
import { CATCH_UP_LIMITS, CatchUpGate, type CatchUpLimits } from './catch-ups.js'
import { FileAdmission } from './file-admission.js'
import { OFFER_LIMITS, type OfferLimits } from './offers.js'
import { PACING_LIMITS, Pacing, type PacingLimits, type SubmitQueue } from './pacing.js'
import type { ClientLink, RelaySelf } from './clients.js'
import type { RosterView } from './roster.js'
import { RosterFeed } from './roster-feed.js'
import { Sequencer, type Outcome } from './sequencer.js'
import { admittedPresence, type PresenceClaim, speaksFor } from './presence-check.js'

export type { RelaySelf } from './clients.js'

const HELLO_TIMEOUT_MS = 5000
/** Typing frames one link may have passed on per second; more are dropped, not relayed. */
const TYPING_PER_SECOND = 5
/** A submission not signed by the account it speaks for: a forgery (or an SO-CHAT too old to sign), logged with its machine. */
const FORGERY_CODES: ReadonlySet<string> = new Set(['bad_signature', 'signature_required'])

type Link = ClientLink

/** What one machine or account may cost the relay; tests shrink them and play the clock. */
export interface RelayLimits extends PacingLimits {
  catchUps: CatchUpLimits
  offers: OfferLimits
}

/** The relay's own submissions, and how each is answered. */
interface Own {
  submission: Submission
  resolve: (o: Outcome) => void
}

export interface RelayEvents {
  /** The roster changed (status shown to people). */
  roster: () => void
  /** Someone on a client machine started or stopped typing (for this machine's pages). */
  typing: (t: Typing) => void
}

export class Relay {
  readonly #links = new Map<PeerConnection, Link>()
  readonly #sequencer: Sequencer
  #stopped = false
  #accepting = true
  readonly #roster: RosterFeed
  readonly #catchUps: CatchUpGate
  readonly #files: FileAdmission
  readonly #pacing: Pacing
  /** This machine's pages' submissions: no machine budget, but their accounts' (limits.ts). */
  readonly #own: SubmitQueue<Own>

  constructor(
    private readonly replica: Replica,
    public term: number,
    private readonly self: RelaySelf,
    private readonly log: Logger,
    private readonly events: RelayEvents,
    limits: Partial<RelayLimits> = {},
  ) {
    const all: RelayLimits = { ...PACING_LIMITS, catchUps: CATCH_UP_LIMITS, offers: OFFER_LIMITS, ...limits }
    this.#catchUps = new CatchUpGate(all.catchUps)
    const linked = (machine: string) => [...this.#links.values()].some((l) => l.machine === machine)
    this.#files = new FileAdmission(all.offers, all.now, self.maxFileBytes, linked, self.hasBlob, log)
    this.blobGate = this.#files.blobGate
    this.#pacing = new Pacing(all, log)
    this.#own = this.#pacing.queue<Own>(
      null,
      (o) => o.submission,
      (o) => void this.#sequencer.order(o.submission).then(o.resolve),
      () => !this.#stopped,
      { peer: self.nodeId, name: self.name, own: true },
    )
    this.#sequencer = new Sequencer(
      replica,
      term,
      (entries) => this.fanOut(entries),
      self.hasBlob,
      undefined,
      (s, machine) => this.#files.names(s, machine),
    )
    this.#roster = new RosterFeed(
      self,
      () => ({ relayId: self.nodeId, term: this.term, head: replica.head }),
      () => this.#links,
      () => events.roster(),
    )
  }

  /**
   * A new epoch for this relay: it won against a relay of a term as high as its own (a healed
   * partition), and every replica must end up agreeing on one term again.
   */
  raiseTerm(term: number): void {
    this.term = term
    this.#sequencer.setTerm(term)
    this.broadcastRoster()
  }

  /**
   * Orders a submission made on this machine, in its account's turn (limits.ts): held, not
   * refused, unless more are held than a link may hold (`rate_limited`, transient for the outbox).
   */
  order(submission: Submission): Promise<Outcome> {
    if (this.#stopped) return this.#sequencer.order(submission)
    return new Promise((resolve) => {
      if (this.#own.submit({ submission, resolve }, 0) === 'over')
        resolve({
          ok: false,
          code: 'rate_limited',
          message: 'Too many submissions from this account at once; they are sent again shortly.',
        })
    })
  }

  attach(conn: PeerConnection): void {
    if (this.#stopped) return conn.fail('not_relay', 'This daemon is no longer the relay.')
    const helloTimer = setTimeout(() => conn.fail('frame_invalid', 'No hello within 5 s.'), HELLO_TIMEOUT_MS)
    helloTimer.unref()
    conn.on('frame', (frame, bytes) => {
      void this.onFrame(conn, frame, bytes).catch((err) => {
        this.log.error({ err, remote: conn.remoteAddress }, 'handling a link frame failed')
        conn.fail('internal', 'The relay failed to handle that frame.')
      })
    })
    conn.once('frame', () => clearTimeout(helloTimer))
    conn.on('close', () => {
      clearTimeout(helloTimer)
      const link = this.#links.get(conn)
      this.#links.delete(conn)
      if (link) {
        link.queue.close()
        // Its offers go with its last link: a push without one is refused as not linked anyway.
        if (![...this.#links.values()].some((l) => l.machine === link.machine)) this.#files.forget(link.machine)
        this.log.info({ peer: link.hello.nodeId, name: link.hello.name }, 'client daemon left')
        this.broadcastRoster()
      }
    })
  }

  /** Who may push files to this relay (file-admission.ts). */
  readonly blobGate: BlobGate

  /** The live list: this machine and every linked client daemon. */
  roster(): RosterView {
    return this.#roster.view()
  }

  /** Something in the roster changed: send it soon, once for any number of changes. */
  broadcastRoster(): void {
    if (!this.#stopped) this.#roster.broadcast()
  }

  /**
   * Clean shutdown: stop taking submissions (clients keep them in their outboxes and resend
   * them to the successor), finish writing and sending what is queued, name the successor
   * (the live client that ranks first), then close. Returns the successor's node id, if any.
   */
  async handover(): Promise<string | null> {
    this.#accepting = false
    await this.#sequencer.idle()
    const live = [...this.#links].filter(([conn, l]) => l.live && conn.open)
    const successor = live.map(([, l]) => l.hello).sort((a, b) => a.startedAt - b.startedAt || (a.nodeId < b.nodeId ? -1 : 1))[0]
    if (!successor) return null
    const frame = { type: 'handover', successor: successor.nodeId, term: this.term + 1 } as const
    // Everything fanned out before this frame is ahead of it on each socket, so once it is
    // written every client has the whole log. Bounded: a stuck client must not hold up the stop.
    await Promise.race([Promise.all(live.map(([conn]) => conn.sendFlushed(frame))), new Promise((r) => setTimeout(r, 2000))])
    this.log.info({ successor: successor.nodeId, name: successor.name }, 'handed the relay over')
    return successor.nodeId
  }

  /** Closes the links of a machine removed from the network (its certificate names it), at once. */
  cutOff(nodeId: string): void {
    for (const conn of this.#links.keys())
      if (conn.peer?.nodeId === nodeId) conn.fail('not_admitted', 'This machine was removed from the network.')
  }

  /** Closes every link with `not_relay`, so clients look for the new relay at once. */
  stop(reason: string): void {
    this.#stopped = true
    this.#sequencer.stop()
    for (const own of this.#own.close()) own.resolve({ ok: false, code: 'not_relay', message: reason })
    this.#roster.stop()
    for (const conn of this.#links.keys()) conn.fail('not_relay', reason)
    this.#links.clear()
  }

  private async onFrame(conn: PeerConnection, frame: Frame, bytes: number): Promise<void> {
    if (!conn.open) return // closed (over budget, say) with frames still arriving: nothing more is done for it
    const link = this.#links.get(conn)
    if (!link) {
      if (frame.type !== 'hello') return conn.fail('frame_invalid', 'The first frame on a link must be hello.')
      return this.welcome(conn, frame)
    }
    if (frame.type !== 'submit' && !link.queue.charge(bytes)) return this.overBudget(conn, link)
    switch (frame.type) {
      case 'submit':
        if (!this.#accepting) return // handing over: the client's outbox resends it to the successor
        if (link.queue.submit(frame.submission, bytes) === 'over') this.overBudget(conn, link)
        return
      case 'offer':
        this.#files.offered(link.machine, frame)
        return
      case 'presence':
        return this.onPresence(link, frame)
      case 'typing': {
        const second = Math.floor(Date.now() / 1000)
        if (link.typing.second !== second) link.typing = { second, count: 0 }
        // Only for someone the machine holds a pass for (presence-check.ts), or no one at all.
        if (!speaksFor(link.users, frame.username)) return
        if (++link.typing.count <= TYPING_PER_SECOND) this.passTyping(frame, conn)
        return
      }
      default:
        return conn.fail('frame_invalid', `A client daemon does not send ${frame.type} frames after hello.`)
    }
  }

  /** Who the link shows online: only those with a pass for its machine (presence-check.ts); a newer frame wins. */
  private async onPresence(link: Link, frame: PresenceClaim): Promise<void> {
    const asked = ++link.presenceAsked
    const admitted = await admittedPresence(frame, link.machine, (u) => this.replica.store.views.account(u), this.log)
    if (asked !== link.presenceAsked || this.#stopped) return
    link.users = admitted.users
    link.away = admitted.away
    this.broadcastRoster()
  }

  /** Orders one submission from a link and answers it (in the order submissions were handed here). */
  private async submit(conn: PeerConnection, link: Link, submission: Submission): Promise<void> {
    const outcome = await this.#sequencer.order(submission, link.machine)
    if (outcome.ok) this.#files.settled(link.machine, submission.id)
    // An up-to-date honest daemon signs as the person who made the entry: say which machine did not.
    else if (FORGERY_CODES.has(outcome.code)) {
      const { code, message } = outcome
      const claims = { id: submission.id, type: submission.body.type, actor: actorOf(submission.body) }
      this.log.warn({ code, remote: conn.remoteAddress, peer: link.machine, name: link.hello.name, ...claims }, `refused: ${message}`)
    }
    conn.send(
      outcome.ok
        ? { type: 'ack', id: submission.id, seq: outcome.seq }
        : { type: 'reject', id: submission.id, code: outcome.code, message: outcome.message },
    )
  }

  /**
   * More than may be held: close the link rather than refuse one submission, so the sender's
   * order holds (what was not ordered stays in its outbox and goes again, in order, on its
   * next link). `rate_limited` is transient for the client.
   */
  private overBudget(conn: PeerConnection, link: Link): void {
    this.log.warn(
      { remote: conn.remoteAddress, peer: link.machine, name: link.hello.name, held: link.queue.held },
      'a client daemon sent more than its budget allows; closing its link',
    )
    conn.fail('rate_limited', 'Too many submissions or bytes on this link; link again and resend more slowly.')
  }

  private async welcome(conn: PeerConnection, hello: Hello): Promise<void> {
    const who = { self: this.self.nodeId, certified: conn.peer?.nodeId ?? null }
    const result = await handshake(hello, this.self.network, this.replica.store.log, who)
    if (!result.ok) return conn.fail(result.code, result.message)
    const machine = conn.peer?.nodeId ?? hello.nodeId
    // Only a link that needs part of the log takes a catch-up slot (catch-ups.ts).
    const slot = result.from < this.replica.head ? await this.#catchUps.enter(machine) : { ok: true as const, leave: () => undefined }
    if (!slot.ok) return conn.fail('busy', slot.message)
    // It may have waited its turn: a link that went meanwhile, or a relay that stopped, frees it.
    if (!conn.open || this.#stopped) {
      slot.leave()
      return
    }
    // Read together, before any await: the statements are about this head.
    const { term } = this
    const head = this.replica.head
    const tip = this.signed(head, this.replica.store.log.chainHead, term)
    // A client already at our head (most links: a reconnect, a new machine on an empty log) gets
    // the same statement twice; Ed25519 is deterministic (RFC 8032), so one signature serves both.
    const at = result.from === head ? tip : await this.statement(result.from, term)
    if (!conn.open || this.#stopped) {
      slot.leave()
      return
    }
    const link = this.newLink(conn, hello, machine)
    this.#links.set(conn, link)
    // Its period for the network as it is now; later rosters bring it up to date (roster-feed.ts).
    const heartbeatMs = heartbeatFor(this.#links.size + 1)
    conn.setHeartbeat(heartbeatMs)
    conn.send({
      type: 'welcome',
      relayId: this.self.nodeId,
      term,
      head,
      from: result.from,
      maxFileBytes: this.self.maxFileBytes,
      heartbeatMs,
      at,
      tip,
    })
    this.log.info({ peer: hello.nodeId, name: hello.name, from: result.from, head }, 'client daemon joined')
    try {
      await this.catchUp(conn, link, result.from + 1)
    } finally {
      slot.leave()
    }
    this.broadcastRoster()
  }

  /** A welcomed link of `machine`, not live until its catch-up is done. */
  private newLink(conn: PeerConnection, hello: Hello, machine: string): Link {
    const link: Link = {
      hello,
      host: conn.remoteIp,
      ...(conn.peer ? { fingerprint: conn.peer.fingerprint } : {}),
      live: false,
      users: [],
      presenceAsked: 0,
      away: [],
      typing: { second: 0, count: 0 },
      machine,
      queue: this.#pacing.queue<Submission>(
        machine,
        (s) => s,
        (s) =>
          void this.submit(conn, link, s).catch((err) => {
            this.log.error({ err, peer: machine }, 'ordering a submission from a link failed')
            conn.fail('internal', 'The relay failed to order a submission.')
          }),
        () => conn.open && this.#accepting,
        { remote: conn.remoteAddress, peer: machine, name: hello.name },
      ),
    }
    return link
  }

  /**
   * Streams the log from `next` until the link has everything, then marks it live. Going live
   * happens in the same tick as the last head check, so no entry falls between catch-up and
   * fan-out (at worst one arrives twice; replicas skip what they have).
   */
  private async catchUp(conn: PeerConnection, link: Link, next: number): Promise<void> {
    while (conn.open && next <= this.replica.head) {
      const entries = await this.replica.store.log.range(next, CATCH_UP_BATCH)
      if (entries.length === 0) break
      for (const chunk of entryChunks(entries)) conn.sendRaw(entriesFrame(chunk, await this.statement(chunk.last)))
      next = entries[entries.length - 1]!.seq + 1
      await conn.drained()
    }
    link.live = conn.open
    // In the same tick as going live: every later change reaches it as a difference from this.
    if (!link.live) return
    const snapshot = this.#roster.snapshotFrames()
    for (const frame of snapshot.frames) conn.sendRaw(frame)
    conn.setHeartbeat(snapshot.heartbeatMs)
  }

  /** To every live client but the one it came from, and to this machine's pages. */
  passTyping(t: Typing, from: PeerConnection | null): void {
    if (this.#stopped) return
    const json = JSON.stringify(t)
    for (const [conn, link] of this.#links) if (link.live && conn !== from) conn.sendRaw(json)
    if (from) this.events.typing(t)
  }

  /** This relay's signed word that its log up to `seq` has chain `chain` (shared/chain.ts). */
  private signed(seq: number, chain: string, term = this.term): OrderStatement {
    return this.replica.sign({ network: this.self.network, relayId: this.self.nodeId, term, seq, chain })
  }

  private async statement(seq: number, term = this.term): Promise<OrderStatement> {
    const chain = await this.replica.store.log.chainAt(seq)
    if (chain === undefined) throw new Error(`The log has no chain value at ${seq} (head ${this.replica.head}).`)
    return this.signed(seq, chain, term)
  }

  /**
   * Signed once per frame, not per link. The chain values of a batch just written are in
   * memory (log.ts keeps the newest), so this stays synchronous and frames keep their order.
   */
  private fanOut(entries: Entry[]): void {
    const { log } = this.replica.store
    const frames = entryFrames(entries, (last) => {
      const chain = log.recentChain(last)
      if (chain === undefined) throw new Error(`No chain value in memory for entry ${last}, just written.`)
      return this.signed(last, chain)
    })
    for (const [conn, link] of this.#links) {
      if (!link.live) continue
      for (const frame of frames) conn.sendRaw(frame)
    }
  }
}
