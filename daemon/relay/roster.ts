/**
 * The roster as the relay sends it: the whole list to a client that just went live, then
 * only the differences from what everyone was last told. A peer's `head` is left out of the
 * comparison: it moves with every message and is not worth a frame to every machine. Nor is
 * the count of machines alone (`countDue`): while a floor starts it moves with every link,
 * and it travels with the next change or within a minute (roster-feed.ts) instead. Which machines the list
 * names is roster-scope.ts's choice.
 */
import { MAX_FRAME_BYTES, ROSTER_CHUNK, type PeerSummary, type Roster } from '../../shared/index.js'

/** What a daemon knows of the network: the relay's latest list, assembled from roster frames. */
export interface RosterView {
  relayId: string
  term: number
  head: number
  peers: PeerSummary[]
  /** Machines linked to the relay, itself included: `peers` may name only some of them. */
  machines: number
}

type Header = Pick<Roster, 'relayId' | 'term' | 'head' | 'heartbeatMs'> & { machines: number }

const compared = (p: PeerSummary): string => JSON.stringify({ ...p, head: 0 })

/** Half a frame for the peers of one part: the rest is room for the header and `gone`. */
const PART_BYTES = MAX_FRAME_BYTES / 2

/** At most ROSTER_CHUNK items and about PART_BYTES of JSON per part; always one part at least. */
function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [[]]
  let bytes = 0
  for (const item of items) {
    const size = JSON.stringify(item).length + 1
    const part = out[out.length - 1]!
    if (part.length > 0 && (part.length >= ROSTER_CHUNK || bytes + size > PART_BYTES)) {
      out.push([item])
      bytes = size
    } else {
      part.push(item)
      bytes += size
    }
  }
  return out
}

export class RosterBook {
  /** What every live client has been told, by node id. */
  readonly #told = new Map<string, { peer: PeerSummary; key: string }>()
  #toldTerm = 0
  #toldMachines = 0
  #toldHeartbeat: number | undefined = undefined
  /** The serialized snapshot, until the next change: many clients go live between changes. */
  #snapshot: { term: number; machines: number; frames: string[] } | null = null

  /**
   * The frames that bring everyone from what they were told to `peers`; none if nothing
   * changed, or if only the count did and it is not `countDue`.
   */
  changes(header: Header, peers: PeerSummary[], countDue = false): Roster[] {
    const now = new Map(peers.map((p) => [p.nodeId, p]))
    const changed: PeerSummary[] = []
    for (const p of peers) {
      const key = compared(p)
      if (this.#told.get(p.nodeId)?.key !== key) changed.push(p)
      this.#told.set(p.nodeId, { peer: p, key })
    }
    const gone = [...this.#told.keys()].filter((id) => !now.has(id))
    for (const id of gone) this.#told.delete(id)
    // A new heartbeat period does not wait for the safety net: until told, every link keeps
    // pinging at the old one (link/heartbeat.ts), and it changes at most once per thousand machines.
    const countOnly = (countDue && header.machines !== this.#toldMachines) || header.heartbeatMs !== this.#toldHeartbeat
    if (changed.length === 0 && gone.length === 0 && header.term === this.#toldTerm && !countOnly) return []
    this.#toldTerm = header.term
    this.#toldMachines = header.machines
    this.#toldHeartbeat = header.heartbeatMs
    this.#snapshot = null
    const peerParts = chunks(changed)
    const goneParts = chunks(gone)
    return Array.from({ length: Math.max(peerParts.length, goneParts.length) }, (_, i) => ({
      type: 'roster',
      ...header,
      reset: false,
      peers: peerParts[i] ?? [],
      gone: goneParts[i] ?? [],
    }))
  }

  /** Everything everyone was told, for a client that just went live. */
  snapshot(header: Header): Roster[] {
    return chunks([...this.#told.values()].map((t) => t.peer)).map((peers, i) => ({
      type: 'roster',
      ...header,
      reset: i === 0,
      peers,
      gone: [],
    }))
  }

  /** The snapshot as JSON frames, made once per change or count (its `head` is from when it was made). */
  snapshotFrames(header: Header): string[] {
    let made = this.#snapshot
    if (made?.term !== header.term || made.machines !== header.machines) {
      made = { term: header.term, machines: header.machines, frames: this.snapshot(header).map((f) => JSON.stringify(f)) }
      this.#snapshot = made
    }
    return made.frames
  }
}

/** Machines a roster counts but does not name, this one aside (it knows itself). */
export function unlistedMachines(view: RosterView | null, self: string): number {
  if (!view) return 0
  const named = view.peers.length + (view.peers.some((p) => p.nodeId === self) ? 0 : 1)
  return Math.max(0, view.machines - named)
}

/** A client applies each roster frame to its view (pure; the view it is given is not changed). */
export function applyRoster(view: RosterView | null, frame: Roster): RosterView {
  const peers = new Map(frame.reset || !view || view.relayId !== frame.relayId ? [] : view.peers.map((p) => [p.nodeId, p]))
  for (const id of frame.gone) peers.delete(id)
  for (const p of frame.peers) peers.set(p.nodeId, p)
  const named = [...peers.values()]
  // A relay from before issue 18 names every machine and sends no count.
  return { relayId: frame.relayId, term: frame.term, head: frame.head, peers: named, machines: frame.machines ?? named.length }
}
