/**
 * Every neighbour we know an address for and its last advert. Entries come from mDNS, static
 * `--peer` addresses and the relay's roster; `probe` refreshes them. A neighbour is alive when
 * its last probe, within `aliveMs`, answered.
 */
import type { Logger } from 'pino'
import type { Advert, PeerSummary } from '../../shared/index.js'
import { probeAdvert } from './probe.js'

export type PeerSource = 'mdns' | 'static' | 'roster'

export interface KnownPeer {
  key: string
  host: string
  port: number
  source: PeerSource
  advert: Advert | null
  answeredAt: number
}

export class PeerDirectory {
  readonly #peers = new Map<string, KnownPeer>()

  constructor(
    private readonly selfId: () => string,
    private readonly log: Logger,
    private readonly aliveMs = 2500,
  ) {}

  /** Remembers an address; an advert seen with it (mDNS TXT) is used until a probe answers. */
  add(host: string, port: number, source: PeerSource, advert: Advert | null = null): void {
    const key = `${host}:${port}`
    if (advert?.nodeId === this.selfId()) return
    const known = this.#peers.get(key)
    if (known) {
      if (source !== 'roster') known.source = source
      return
    }
    this.#peers.set(key, { key, host, port, source, advert, answeredAt: 0 })
    this.log.debug({ host, port, source }, 'learnt a peer address')
  }

  /** mDNS goodbye: the daemon left on purpose. */
  remove(host: string, port: number): void {
    const peer = this.#peers.get(`${host}:${port}`)
    if (peer && peer.source !== 'static') this.#peers.delete(peer.key)
  }

  learnFromRoster(peers: PeerSummary[]): void {
    for (const p of peers) if (p.host && p.nodeId !== this.selfId()) this.add(p.host, p.peerPort, 'roster')
  }

  /** Probes every known address at once; resolves when all answered or timed out. */
  async probeAll(timeoutMs = 1000): Promise<void> {
    await Promise.all(
      [...this.#peers.values()].map(async (peer) => {
        const advert = await probeAdvert(peer.host, peer.port, timeoutMs)
        if (!advert) return
        if (advert.nodeId === this.selfId()) {
          this.#peers.delete(peer.key)
          return
        }
        peer.advert = advert
        peer.answeredAt = Date.now()
      }),
    )
  }

  /** A link to it just failed: not alive until it answers a probe again. */
  markUnreachable(nodeId: string): void {
    for (const peer of this.#peers.values()) if (peer.advert?.nodeId === nodeId) peer.answeredAt = 0
  }

  /** Adverts of neighbours that answered recently, one per node id (the freshest). */
  alive(now = Date.now()): Advert[] {
    const byId = new Map<string, KnownPeer>()
    for (const peer of this.#peers.values()) {
      if (!peer.advert || now - peer.answeredAt > this.aliveMs) continue
      const other = byId.get(peer.advert.nodeId)
      if (!other || other.answeredAt < peer.answeredAt) byId.set(peer.advert.nodeId, peer)
    }
    return [...byId.values()].map((p) => p.advert!)
  }

  /** Where to reach a node, preferring the address that answered last. */
  addressOf(nodeId: string): { host: string; port: number } | null {
    let best: KnownPeer | null = null
    for (const peer of this.#peers.values()) {
      if (peer.advert?.nodeId === nodeId && (!best || peer.answeredAt > best.answeredAt)) best = peer
    }
    return best ? { host: best.host, port: best.port } : null
  }

  get size(): number {
    return this.#peers.size
  }
}
