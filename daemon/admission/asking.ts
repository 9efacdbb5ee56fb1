/**
 * The machines that asked this one to let them in, kept in memory until a person decides
 * or they stop asking. Bounded: a neighbour making keys in a loop can fill it, but not past
 * `MAX_ASKING` (the oldest undecided go first), nor more than `PER_ADDRESS` from one IP.
 */
import type { PeerKey } from '../identity/index.js'

export const MAX_ASKING = 64
const PER_ADDRESS = 4
/** Forgotten this long after the machine last asked (it asks every few seconds while it waits). */
export const FORGET_MS = 10 * 60_000

export interface Asking {
  peer: PeerKey
  name: string
  ip: string
  firstAsked: number
  lastAsked: number
  decision: { admitted: boolean; by: string; at: number } | null
}

export class AskingList {
  readonly #bySha = new Map<string, Asking>()

  /** Notes a request; false when the list is full for that address. */
  note(peer: PeerKey, name: string, ip: string, now = Date.now()): Asking | null {
    this.expire(now)
    const known = this.#bySha.get(peer.sha256)
    if (known) {
      known.lastAsked = now
      known.ip = ip
      known.name = name
      return known
    }
    if ([...this.#bySha.values()].filter((a) => a.ip === ip && !a.decision).length >= PER_ADDRESS) return null
    if (this.#bySha.size >= MAX_ASKING) {
      const oldest = [...this.#bySha.values()].filter((a) => !a.decision).sort((a, b) => a.lastAsked - b.lastAsked)[0]
      if (!oldest) return null
      this.#bySha.delete(oldest.peer.sha256)
    }
    const asking: Asking = { peer, name, ip, firstAsked: now, lastAsked: now, decision: null }
    this.#bySha.set(peer.sha256, asking)
    return asking
  }

  byNodeId(nodeId: string): Asking | undefined {
    return [...this.#bySha.values()].find((a) => a.peer.nodeId === nodeId)
  }

  all(now = Date.now()): Asking[] {
    this.expire(now)
    return [...this.#bySha.values()]
  }

  forget(sha256: string): void {
    this.#bySha.delete(sha256)
  }

  private expire(now: number): void {
    for (const [sha, a] of this.#bySha) if (now - a.lastAsked > FORGET_MS) this.#bySha.delete(sha)
  }
}
