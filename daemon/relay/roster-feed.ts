/**
 * Keeping every live client's roster up to date: the machines it names (roster-scope.ts) once
 * as a link goes live, then only differences (roster.ts `RosterBook`), coalesced into one
 * frame a second however many machines join, leave or change presence meanwhile, and compared
 * again every 10 s as a safety net, which also brings everyone a new count of machines at most
 * once a minute. Apart from relay.ts because it runs on timers of its own and knows nothing of
 * ordering.
 */
import type { PeerSummary } from '../../shared/index.js'
import { heartbeatFor, type PeerConnection } from '../link/index.js'
import { summaryOf, type ClientLink, type RelaySelf } from './clients.js'
import { RosterBook, type RosterView } from './roster.js'
import { rosterScope } from './roster-scope.js'

/** The roster is compared with what clients were told at least this often (a safety net). */
export const ROSTER_INTERVAL_MS = 10_000
/**
 * A new count of machines alone is sent at most this often: while a floor of 10,000 starts,
 * it changes with every link, and each time it is a frame to every client.
 */
export const ROSTER_COUNT_MS = 60_000
/**
 * Changes (joins, leaves, presence) are coalesced into one roster frame per this interval:
 * it goes to every peer, so one per join would cost O(peers²) frames when a whole floor of
 * machines starts at once.
 */
export const ROSTER_COALESCE_MS = 1000

export type RosterHeader = Pick<RosterView, 'relayId' | 'term' | 'head'>

type Header = RosterHeader & { machines: number; heartbeatMs: number }

export class RosterFeed {
  readonly #book = new RosterBook()
  readonly #timer: NodeJS.Timeout
  #due: NodeJS.Timeout | null = null
  #stopped = false
  /** The count of machines as this relay's own status last heard it. */
  #counted = 0
  /** When everyone was last sent a frame (each carries the count). */
  #toldAt = 0

  constructor(
    private readonly self: Pick<RelaySelf, 'nodeId' | 'name' | 'peerPort' | 'startedAt' | 'presence' | 'fingerprint'>,
    private readonly header: () => RosterHeader,
    private readonly links: () => ReadonlyMap<PeerConnection, ClientLink>,
    /** The roster changed (status shown to people). */
    private readonly changed: () => void,
  ) {
    this.#timer = setInterval(() => this.send(Date.now() - this.#toldAt >= ROSTER_COUNT_MS), ROSTER_INTERVAL_MS)
    this.#timer.unref()
    // The book starts with this machine in it, so the first client's snapshot names the relay.
    this.send()
  }

  /** The whole list, for this machine's own status: this machine and every linked client daemon. */
  view(): RosterView {
    const { me, others, header } = this.lines()
    return { ...header, peers: [me, ...others] }
  }

  private lines(): { me: PeerSummary; others: PeerSummary[]; header: Header } {
    const header = this.header()
    const others = [...this.links().values()].map((l) => summaryOf(l, header.head))
    const me: PeerSummary = {
      nodeId: this.self.nodeId,
      name: this.self.name,
      host: '',
      peerPort: this.self.peerPort,
      startedAt: this.self.startedAt,
      head: header.head,
      ...this.self.presence(),
      ...(this.self.fingerprint ? { fingerprint: this.self.fingerprint } : {}),
    }
    const machines = others.length + 1
    return { me, others, header: { ...header, machines, heartbeatMs: heartbeatFor(machines) } }
  }

  /** Something in the roster changed: send it soon, once for any number of changes. */
  broadcast(): void {
    if (this.#stopped || this.#due) return
    this.#due = setTimeout(() => {
      this.#due = null
      this.send()
    }, ROSTER_COALESCE_MS)
    this.#due.unref()
  }

  /** The named list as last told to everyone, for a link going live (every later change reaches it as a difference). */
  snapshotFrames(): { frames: string[]; heartbeatMs: number } {
    const machines = this.links().size + 1
    const heartbeatMs = heartbeatFor(machines)
    return { frames: this.#book.snapshotFrames({ ...this.header(), machines, heartbeatMs }), heartbeatMs }
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    if (this.#due) clearTimeout(this.#due)
  }

  /** Sends what changed in the named list; with `countDue`, a new count alone too. */
  private send(countDue = false): void {
    if (this.#stopped) return
    const { me, others, header } = this.lines()
    const frames = this.#book.changes(header, rosterScope(me, others), countDue).map((f) => JSON.stringify(f))
    if (frames.length > 0) {
      for (const [conn, link] of this.links()) {
        if (!link.live) continue
        for (const f of frames) conn.sendRaw(f)
        // The period the frames carry is the link's from now on, at both ends (link/heartbeat.ts).
        conn.setHeartbeat(header.heartbeatMs)
      }
      this.#toldAt = Date.now()
    }
    // This machine's own status lists every link, named or not: it changed with the count too.
    if (frames.length > 0 || header.machines !== this.#counted) this.changed()
    this.#counted = header.machines
  }
}
