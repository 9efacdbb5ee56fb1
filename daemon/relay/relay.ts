/**
 * The relay: links from client daemons, ordering, fan-out, roster. One instance per term; a
 * relay that steps down is stopped and a new one is made if this machine is elected again.
 */
import type { Logger } from 'pino'
import { CATCH_UP_BATCH, type Entry, type Frame, type Hello, type PeerSummary, type Submission, type Typing } from '../../shared/index.js'
import type { PeerConnection } from '../link/index.js'
import type { Replica } from '../replica/index.js'
import { entryFrames } from './chunk.js'
import { handshake } from './handshake.js'
import type { BlobGate } from '../files/index.js'
import {
  CATCH_UP_LIMITS,
  CatchUpGate,
  FILES_A_DAY,
  FileQuota,
  LINK_LIMITS,
  LinkBudget,
  type CatchUpLimits,
  type Clock,
  type LinkLimits,
} from './limits.js'
import { OFFER_LIMITS, OfferBook, type OfferLimits } from './offers.js'
import { RosterBook, type RosterView } from './roster.js'
import { Sequencer, type Outcome } from './sequencer.js'

/** The roster is compared with what clients were told at least this often (a safety net). */
export const ROSTER_INTERVAL_MS = 10_000
/**
 * Changes (joins, leaves, presence) are coalesced into one roster frame per this interval:
 * it goes to every peer, so one per join would cost O(peers²) frames when a whole floor of
 * machines starts at once.
 */
export const ROSTER_COALESCE_MS = 1000
const HELLO_TIMEOUT_MS = 5000
/** Typing frames one link may have passed on per second; more are dropped, not relayed. */
const TYPING_PER_SECOND = 5

export interface RelaySelf {
  nodeId: string
  /** This machine's key fingerprint, shown with it in the roster. */
  fingerprint?: string
  name: string
  network: string
  peerPort: number
  startedAt: number
  /** Users with this machine's page open, and who of them is away. */
  presence: () => { users: string[]; away: string[] }
  /** Whether this machine has a shared file's bytes: a message is ordered only once it does. */
  hasBlob: (sha256: string) => Promise<boolean>
  maxFileBytes: number
}

interface Link {
  hello: Hello
  host: string
  /** The fingerprint of the key its TLS certificate carries. */
  fingerprint?: string
  live: boolean
  users: string[]
  away: string[]
  typing: { second: number; count: number }
  /** What this link may still submit (limits.ts); over it, submissions wait their turn. */
  budget: LinkBudget<Submission>
  paced: NodeJS.Timeout | null
  /** When we last logged that this link is being paced (once a minute at most). */
  pacedLogAt: number
}

/** What one machine may cost the relay (limits.ts); tests shrink them and play the clock. */
export interface RelayLimits {
  catchUps: CatchUpLimits
  link: LinkLimits
  offers: OfferLimits
  now: Clock
}

const PACED_LOG_MS = 60_000

export interface RelayEvents {
  /** The roster changed (status shown to people). */
  roster: () => void
  /** Someone on a client machine started or stopped typing (for this machine's pages). */
  typing: (t: Typing) => void
}

export class Relay {
  readonly #links = new Map<PeerConnection, Link>()
  readonly #sequencer: Sequencer
  readonly #timer: NodeJS.Timeout
  #stopped = false
  #accepting = true
  #rosterDue: NodeJS.Timeout | null = null
  readonly #book = new RosterBook()
  readonly #limits: RelayLimits
  readonly #catchUps: CatchUpGate
  readonly #fileQuota: FileQuota
  readonly #offers: OfferBook

  constructor(
    private readonly replica: Replica,
    public term: number,
    private readonly self: RelaySelf,
    private readonly log: Logger,
    private readonly events: RelayEvents,
    limits: Partial<RelayLimits> = {},
  ) {
    this.#limits = { catchUps: CATCH_UP_LIMITS, link: LINK_LIMITS, offers: OFFER_LIMITS, now: Date.now, ...limits }
    this.#offers = new OfferBook(this.#limits.offers, this.#limits.now)
    this.#catchUps = new CatchUpGate(this.#limits.catchUps)
    this.#fileQuota = new FileQuota(FILES_A_DAY * self.maxFileBytes, this.#limits.now)
    this.#sequencer = new Sequencer(replica, term, (entries) => this.fanOut(entries), self.hasBlob)
    this.#timer = setInterval(() => this.sendRoster(), ROSTER_INTERVAL_MS)
    this.#timer.unref()
    // The book starts with this machine in it, so the first client's snapshot names the relay.
    this.sendRoster()
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

  /** Orders a submission made on this machine. */
  order(submission: Submission): Promise<Outcome> {
    return this.#sequencer.order(submission)
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
        if (link.paced) clearTimeout(link.paced)
        link.budget.clear()
        // Its offers go with its last link: a push without one is refused as not linked anyway.
        const machine = this.machineOf(conn, link)
        if (![...this.#links].some(([c, l]) => this.machineOf(c, l) === machine)) this.#offers.forget(machine)
        this.log.info({ peer: link.hello.nodeId, name: link.hello.name }, 'client daemon left')
        this.broadcastRoster()
      }
    })
  }

  /**
   * Who may push files to this relay: a machine with a link to it, for a blob that same machine
   * offered on its link for a submission (offers.ts), no bigger than offered, within its day's
   * bytes (limits.ts `FileQuota`, still keyed by the remote IP). The machine is its key: the
   * node id of its TLS certificate, on the push and on the link alike.
   */
  readonly blobGate: BlobGate = {
    admit: (from, sha256, bytes) => {
      if (from.machine === null || ![...this.#links].some(([c, l]) => this.machineOf(c, l) === from.machine)) {
        return { ok: false, code: 'not_linked', message: 'Only a machine linked to this relay may send it files.' }
      }
      const offered = this.#offers.check(from.machine, sha256, bytes, this.self.maxFileBytes)
      if (!offered.ok) {
        this.log.warn({ remote: from.address, peer: from.machine, sha256, bytes, code: offered.code }, 'refused a file push')
        return offered
      }
      const left = this.#fileQuota.left(from.address)
      if (left <= 0 || bytes > left) {
        this.log.warn({ remote: from.address, bytes, left: Math.floor(left) }, 'a machine pushed more file bytes than its day allows')
        return {
          ok: false,
          code: 'rate_limited',
          message: 'This machine has sent the relay all the files a day allows; they go as the day refills.',
        }
      }
      return offered
    },
    stored: (from, sha256, bytes) => {
      this.#fileQuota.spend(from.address, bytes)
      if (from.machine !== null) this.#offers.used(from.machine, sha256)
    },
  }

  /** A link's machine: the node id of its certificate's key (the hello's must match it, welcome). */
  private machineOf(conn: PeerConnection, link: Link): string {
    return conn.peer?.nodeId ?? link.hello.nodeId
  }

  private rosterHeader(): { relayId: string; term: number; head: number } {
    return { relayId: this.self.nodeId, term: this.term, head: this.replica.head }
  }

  /** The live list: this machine and every linked client daemon. */
  roster(): RosterView {
    const me: PeerSummary = {
      nodeId: this.self.nodeId,
      name: this.self.name,
      host: '',
      peerPort: this.self.peerPort,
      startedAt: this.self.startedAt,
      head: this.replica.head,
      ...this.self.presence(),
      ...(this.self.fingerprint ? { fingerprint: this.self.fingerprint } : {}),
    }
    const others = [...this.#links.values()].map(
      (l): PeerSummary => ({
        nodeId: l.hello.nodeId,
        name: l.hello.name,
        host: l.host,
        peerPort: l.hello.peerPort,
        startedAt: l.hello.startedAt,
        head: l.live ? this.replica.head : l.hello.head,
        users: l.users,
        away: l.away,
        ...(l.fingerprint ? { fingerprint: l.fingerprint } : {}),
      }),
    )
    return { ...this.rosterHeader(), peers: [me, ...others] }
  }

  /** Something in the roster changed: send it soon, once for any number of changes. */
  broadcastRoster(): void {
    if (this.#stopped || this.#rosterDue) return
    this.#rosterDue = setTimeout(() => {
      this.#rosterDue = null
      this.sendRoster()
    }, ROSTER_COALESCE_MS)
    this.#rosterDue.unref()
  }

  private sendRoster(): void {
    if (this.#stopped) return
    const { peers, ...header } = this.roster()
    const frames = this.#book.changes(header, peers).map((f) => JSON.stringify(f))
    if (frames.length === 0) return
    for (const [conn, link] of this.#links) if (link.live) for (const f of frames) conn.sendRaw(f)
    this.events.roster()
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
    clearInterval(this.#timer)
    if (this.#rosterDue) clearTimeout(this.#rosterDue)
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
    if (frame.type !== 'submit' && !link.budget.charge(bytes)) return this.overBudget(conn, link)
    switch (frame.type) {
      case 'submit': {
        if (!this.#accepting) return // handing over: the client's outbox resends it to the successor
        const offer = link.budget.offer(frame.submission, bytes)
        if (offer === 'over') return this.overBudget(conn, link)
        if (offer === 'held') return this.pace(conn, link)
        return this.submit(conn, frame.submission)
      }
      case 'offer':
        this.#offers.offer(this.machineOf(conn, link), frame.id, frame.blobs)
        return
      case 'presence':
        link.users = frame.users
        link.away = frame.away
        this.broadcastRoster()
        return
      case 'typing': {
        const second = Math.floor(Date.now() / 1000)
        if (link.typing.second !== second) link.typing = { second, count: 0 }
        if (++link.typing.count <= TYPING_PER_SECOND) this.passTyping(frame, conn)
        return
      }
      default:
        return conn.fail('frame_invalid', `A client daemon does not send ${frame.type} frames after hello.`)
    }
  }

  /** Orders one submission from a link and answers it (in the order submissions were handed here). */
  private async submit(conn: PeerConnection, submission: Submission): Promise<void> {
    const outcome = await this.#sequencer.order(submission)
    conn.send(
      outcome.ok
        ? { type: 'ack', id: submission.id, seq: outcome.seq }
        : { type: 'reject', id: submission.id, code: outcome.code, message: outcome.message },
    )
  }

  /** Submissions are held on this link: hand them to the sequencer as their turn comes. */
  private pace(conn: PeerConnection, link: Link): void {
    const now = this.#limits.now()
    if (now - link.pacedLogAt >= PACED_LOG_MS) {
      link.pacedLogAt = now
      this.log.warn(
        { remote: conn.remoteAddress, peer: link.hello.nodeId, name: link.hello.name, held: link.budget.held },
        'a client daemon is submitting faster than its budget; its submissions wait their turn',
      )
    }
    if (link.paced) return
    const wait = link.budget.nextInMs()
    if (wait === null) return
    link.paced = setTimeout(() => {
      link.paced = null
      if (!conn.open || !this.#accepting) return
      for (const s of link.budget.due()) void this.submit(conn, s).catch((err) => this.log.error({ err }, 'ordering a submission failed'))
      if (link.budget.held > 0) this.pace(conn, link)
    }, wait)
    link.paced.unref()
  }

  /**
   * More than may be held: close the link rather than refuse one submission, so the sender's
   * order holds (what was not ordered stays in its outbox and goes again, in order, on its
   * next link). `rate_limited` is transient for the client.
   */
  private overBudget(conn: PeerConnection, link: Link): void {
    this.log.warn(
      { remote: conn.remoteAddress, peer: link.hello.nodeId, name: link.hello.name, held: link.budget.held },
      'a client daemon sent more than its budget allows; closing its link',
    )
    conn.fail('rate_limited', 'Too many submissions or bytes on this link; link again and resend more slowly.')
  }

  private async welcome(conn: PeerConnection, hello: Hello): Promise<void> {
    const result = await handshake(hello, this.self.network, this.replica.store.log)
    if (!result.ok) return conn.fail(result.code, result.message)
    if (hello.nodeId === this.self.nodeId) return conn.fail('frame_invalid', 'A daemon cannot link to itself.')
    // Who a link is comes from its TLS certificate (link/tls.ts); a hello naming another machine is a lie.
    if (conn.peer && conn.peer.nodeId !== hello.nodeId)
      return conn.fail('frame_invalid', `This link's key is machine ${conn.peer.nodeId}, not ${hello.nodeId}.`)
    const host = conn.remoteIp
    // Only a link that needs part of the log takes a catch-up slot (limits.ts).
    const slot = result.from < this.replica.head ? await this.#catchUps.enter(host) : { ok: true as const, leave: () => undefined }
    if (!slot.ok) return conn.fail('busy', slot.message)
    // It may have waited its turn: a link that went meanwhile, or a relay that stopped, frees it.
    if (!conn.open || this.#stopped) {
      slot.leave()
      return
    }
    const link: Link = {
      hello,
      host,
      ...(conn.peer ? { fingerprint: conn.peer.fingerprint } : {}),
      live: false,
      users: [],
      away: [],
      typing: { second: 0, count: 0 },
      budget: new LinkBudget(this.#limits.link, this.#limits.now),
      paced: null,
      pacedLogAt: Number.NEGATIVE_INFINITY,
    }
    this.#links.set(conn, link)
    conn.send({
      type: 'welcome',
      relayId: this.self.nodeId,
      term: this.term,
      head: this.replica.head,
      from: result.from,
      maxFileBytes: this.self.maxFileBytes,
    })
    this.log.info({ peer: hello.nodeId, name: hello.name, from: result.from, head: this.replica.head }, 'client daemon joined')
    try {
      await this.catchUp(conn, link, result.from + 1)
    } finally {
      slot.leave()
    }
    this.broadcastRoster()
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
      for (const frame of entryFrames(entries)) conn.sendRaw(frame)
      next = entries[entries.length - 1]!.seq + 1
      await conn.drained()
    }
    link.live = conn.open
    // In the same tick as going live: every later change reaches it as a difference from this.
    if (link.live) for (const frame of this.#book.snapshotFrames(this.rosterHeader())) conn.sendRaw(frame)
  }

  /** To every live client but the one it came from, and to this machine's pages. */
  passTyping(t: Typing, from: PeerConnection | null): void {
    if (this.#stopped) return
    const json = JSON.stringify(t)
    for (const [conn, link] of this.#links) if (link.live && conn !== from) conn.sendRaw(json)
    if (from) this.events.typing(t)
  }

  private fanOut(entries: Entry[]): void {
    const frames = entryFrames(entries)
    for (const [conn, link] of this.#links) {
      if (!link.live) continue
      for (const frame of frames) conn.sendRaw(frame)
    }
  }
}
