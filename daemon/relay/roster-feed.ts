/**
 * Keeping every live client's roster up to date: the whole list once as a link goes live,
 * then only differences (roster.ts `RosterBook`), coalesced into one frame a second however
 * many machines join, leave or change presence meanwhile, and compared again every 10 s as a
 * safety net. Apart from relay.ts because it runs on timers of its own and knows nothing of
 * ordering.
 */
import type { PeerSummary } from '../../shared/index.js'
import type { PeerConnection } from '../link/index.js'
import { summaryOf, type ClientLink, type RelaySelf } from './clients.js'
import { RosterBook, type RosterView } from './roster.js'

/** The roster is compared with what clients were told at least this often (a safety net). */
export const ROSTER_INTERVAL_MS = 10_000
/**
 * Changes (joins, leaves, presence) are coalesced into one roster frame per this interval:
 * it goes to every peer, so one per join would cost O(peers²) frames when a whole floor of
 * machines starts at once.
 */
export const ROSTER_COALESCE_MS = 1000

export type RosterHeader = Pick<RosterView, 'relayId' | 'term' | 'head'>

export class RosterFeed {
  readonly #book = new RosterBook()
  readonly #timer: NodeJS.Timeout
  #due: NodeJS.Timeout | null = null
  #stopped = false

  constructor(
    private readonly self: Pick<RelaySelf, 'nodeId' | 'name' | 'peerPort' | 'startedAt' | 'presence' | 'fingerprint'>,
    private readonly header: () => RosterHeader,
    private readonly links: () => Iterable<[PeerConnection, ClientLink]>,
    /** The roster changed (status shown to people). */
    private readonly changed: () => void,
  ) {
    this.#timer = setInterval(() => this.send(), ROSTER_INTERVAL_MS)
    this.#timer.unref()
    // The book starts with this machine in it, so the first client's snapshot names the relay.
    this.send()
  }

  /** The live list: this machine and every linked client daemon. */
  view(): RosterView {
    const header = this.header()
    const others = [...this.links()].map(([, l]) => summaryOf(l, header.head))
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
    return { ...header, peers: [me, ...others] }
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

  /** The whole list as last told to everyone, for a link going live (every later change reaches it as a difference). */
  snapshotFrames(): string[] {
    return this.#book.snapshotFrames(this.header())
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    if (this.#due) clearTimeout(this.#due)
  }

  private send(): void {
    if (this.#stopped) return
    const { peers, ...header } = this.view()
    const frames = this.#book.changes(header, peers).map((f) => JSON.stringify(f))
    if (frames.length === 0) return
    for (const [conn, link] of this.links()) if (link.live) for (const f of frames) conn.sendRaw(f)
    this.changed()
  }
}
