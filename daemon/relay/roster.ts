/**
 * The roster as the relay sends it: the whole list to a client that just went live, then
 * only the differences from what everyone was last told. A peer's `head` is left out of the
 * comparison: it moves with every message and is not worth a frame to every machine.
 */
import { ROSTER_CHUNK, type PeerSummary, type Roster } from '../../shared/index.js'

/** What a daemon knows of the network: the relay's latest list, assembled from roster frames. */
export interface RosterView {
  relayId: string
  term: number
  head: number
  peers: PeerSummary[]
}

type Header = Pick<Roster, 'relayId' | 'term' | 'head'>

const compared = (p: PeerSummary): string => JSON.stringify({ ...p, head: 0 })

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += ROSTER_CHUNK) out.push(items.slice(i, i + ROSTER_CHUNK))
  return out.length ? out : [[]]
}

export class RosterBook {
  /** What every live client has been told, by node id. */
  readonly #told = new Map<string, { peer: PeerSummary; key: string }>()
  #toldTerm = 0
  /** The serialized snapshot, until the next change: many clients go live between changes. */
  #snapshot: { term: number; frames: string[] } | null = null

  /** The frames that bring everyone from what they were told to `peers`; none if nothing changed. */
  changes(header: Header, peers: PeerSummary[]): Roster[] {
    const now = new Map(peers.map((p) => [p.nodeId, p]))
    const changed: PeerSummary[] = []
    for (const p of peers) {
      const key = compared(p)
      if (this.#told.get(p.nodeId)?.key !== key) changed.push(p)
      this.#told.set(p.nodeId, { peer: p, key })
    }
    const gone = [...this.#told.keys()].filter((id) => !now.has(id))
    for (const id of gone) this.#told.delete(id)
    if (changed.length === 0 && gone.length === 0 && header.term === this.#toldTerm) return []
    this.#toldTerm = header.term
    this.#snapshot = null
    const parts = Math.max(chunks(changed).length, chunks(gone).length)
    return Array.from({ length: parts }, (_, i) => ({
      type: 'roster', ...header, reset: false,
      peers: changed.slice(i * ROSTER_CHUNK, (i + 1) * ROSTER_CHUNK), gone: gone.slice(i * ROSTER_CHUNK, (i + 1) * ROSTER_CHUNK),
    }))
  }

  /** Everything everyone was told, for a client that just went live. */
  snapshot(header: Header): Roster[] {
    return chunks([...this.#told.values()].map((t) => t.peer)).map((peers, i) => ({ type: 'roster', ...header, reset: i === 0, peers, gone: [] }))
  }

  /** The snapshot as JSON frames, made once per change (its `head` is from when it was made). */
  snapshotFrames(header: Header): string[] {
    if (this.#snapshot?.term !== header.term) {
      this.#snapshot = { term: header.term, frames: this.snapshot(header).map((f) => JSON.stringify(f)) }
    }
    return this.#snapshot.frames
  }
}

/** A client applies each roster frame to its view (pure; the view it is given is not changed). */
export function applyRoster(view: RosterView | null, frame: Roster): RosterView {
  const peers = new Map(frame.reset || !view || view.relayId !== frame.relayId ? [] : view.peers.map((p) => [p.nodeId, p]))
  for (const id of frame.gone) peers.delete(id)
  for (const p of frame.peers) peers.set(p.nodeId, p)
  return { relayId: frame.relayId, term: frame.term, head: frame.head, peers: [...peers.values()] }
}
