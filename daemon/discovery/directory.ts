/**
 * Every neighbour we know an address for and its last advert. Entries come from mDNS, static
 * `--peer` addresses and the relay's roster; `probe` refreshes them (over TLS, probe.ts). A
 * neighbour is alive when its last probe, within `aliveMs`, answered and proved the network
 * key: only members take part in the election. Strangers stay listed (`seen`) with what went
 * wrong, for the Network panel. Only IPs are dialled (addresses.ts): roster hosts
 * that are not another machine's IP are dropped, `--peer` names are resolved before each probe.
 */
import { isIP } from 'node:net'
import type { Logger } from 'pino'
import type { Advert, PeerSummary } from '../../shared/index.js'
import { isRosterHost, resolvePeerHost } from './addresses.js'
import type { PeerKey } from '../identity/index.js'
import type { Probe, ProbeResult } from './probe.js'

/** Roster hosts already warned about: rosters repeat every change, the log must not. */
const WARNED_LIMIT = 256

export type PeerSource = 'mdns' | 'static' | 'roster'

export interface KnownPeer {
  key: string
  /** An IP; '' for a `--peer` name not resolved yet. */
  host: string
  /** The `--peer` host name this entry stands for, resolved again before every probe (DNS may move it). */
  name?: string
  /** The last resolution failure, so it is logged when it changes rather than every probe. */
  unresolved?: string
  port: number
  source: PeerSource
  advert: Advert | null
  answeredAt: number
  /** The machine that answered at this address (its certificate), once one did. */
  peer?: PeerKey
  /** Its last answer proved the network key. */
  member: boolean
  /** Its last probe was answered, without proof of our key: a stranger, or a network whose key we lack. */
  unproved: boolean
  /** The last probe's failure, in words; cleared by an answer. */
  problem?: string
  /** It answered in plain HTTP: an SO-CHAT from before encrypted links. */
  outdated?: boolean
  /** When anything was last heard from this address (an answer, a refusal, an mDNS record). */
  heardAt: number
}

export interface DirectoryOptions {
  selfId: () => string
  probe: Probe
  log: Logger
  /** A neighbour counts as alive this long after its last good answer. */
  aliveMs?: number
  resolve?: (host: string) => Promise<string>
}

/** How long past its own timeout a probe may take before probeAll counts it as no answer. */
const PROBE_GRACE_MS = 100

/** The probe's answer, or "no answer" once `ms` passed (the probe itself goes on, unheard). */
function answerBy(probe: Promise<ProbeResult>, ms: number): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, problem: `no answer within ${ms} ms` }), ms)
  })
  return Promise.race([probe, late]).finally(() => clearTimeout(timer))
}

export class PeerDirectory {
  readonly #peers = new Map<string, KnownPeer>()
  readonly #warned = new Set<string>()

  private readonly selfId: () => string
  private readonly probe: Probe
  private readonly log: Logger
  private readonly aliveMs: number
  private readonly resolve: (host: string) => Promise<string>

  constructor(opts: DirectoryOptions) {
    this.selfId = opts.selfId
    this.probe = opts.probe
    this.log = opts.log
    this.aliveMs = opts.aliveMs ?? 2500
    this.resolve = opts.resolve ?? resolvePeerHost
  }

  /** Remembers an address; an advert seen with it (mDNS TXT) is used until a probe answers. */
  add(host: string, port: number, source: PeerSource, advert: Advert | null = null): void {
    const key = `${host}:${port}`
    if (advert?.nodeId === this.selfId()) return
    const known = this.#peers.get(key)
    if (known) {
      if (source !== 'roster') known.source = source
      if (source === 'mdns') known.heardAt = Date.now()
      return
    }
    const named = source === 'static' && !isIP(host)
    const entry: KnownPeer = {
      key,
      host: named ? '' : host,
      port,
      source,
      advert,
      answeredAt: 0,
      member: false,
      unproved: false,
      heardAt: Date.now(),
    }
    if (named) entry.name = host
    this.#peers.set(key, entry)
    this.log.debug({ host, port, source }, 'learnt a peer address')
  }

  /** mDNS goodbye: the daemon left on purpose. */
  remove(host: string, port: number): void {
    const peer = this.#peers.get(`${host}:${port}`)
    if (peer && peer.source !== 'static') this.#peers.delete(peer.key)
  }

  /** The relay's list: its hosts are dialled only when they are another machine's IP (addresses.ts). */
  learnFromRoster(peers: PeerSummary[]): void {
    for (const p of peers) {
      if (!p.host || p.nodeId === this.selfId()) continue
      if (isRosterHost(p.host)) this.add(p.host, p.peerPort, 'roster')
      else this.ignoreRosterHost(p)
    }
  }

  private ignoreRosterHost(p: PeerSummary): void {
    const fields = { host: p.host.slice(0, 100), port: p.peerPort, nodeId: p.nodeId }
    // Loopback is what a relay sees of a daemon on its own machine: expected, not alarming.
    if (isIP(p.host) || this.#warned.has(p.host)) return this.log.debug(fields, 'ignored a roster address we do not dial')
    if (this.#warned.size >= WARNED_LIMIT) this.#warned.clear()
    this.#warned.add(p.host)
    this.log.warn(fields, 'ignored a roster host that is not an IP address (a relay sends IPs only)')
  }

  /**
   * Probes every known address at once; resolves when all answered or `timeoutMs` passed, a
   * machine that did not answer by then counting as not answering. The deadline is kept here,
   * whatever the probe does: a new TLS connection to a machine that is gone waits up to 3 s
   * (link/agent.ts), and one such address must not make every round that long, or the answers
   * of the machines that are there are older than `aliveMs` by the time the election reads
   * them: two neighbours each thought they were alone, and stayed two relays.
   */
  async probeAll(timeoutMs = 1000): Promise<void> {
    await Promise.all(
      [...this.#peers.values()].map(async (peer) => {
        if (peer.name && !(await this.resolveName(peer, peer.name))) return
        this.record(peer, await answerBy(this.probe(peer.host, peer.port, timeoutMs), timeoutMs + PROBE_GRACE_MS))
      }),
    )
  }

  private record(peer: KnownPeer, result: Awaited<ReturnType<Probe>>): void {
    if (result.peer?.nodeId === this.selfId()) {
      this.#peers.delete(peer.key) // our own address, heard back (a --peer pointing at ourselves)
      return
    }
    if (result.peer) {
      peer.peer = result.peer
      peer.heardAt = Date.now()
    }
    peer.outdated = !result.ok && result.outdated === true
    if (!result.ok) {
      peer.member = false
      peer.unproved = false // no answer is no evidence either way
      peer.problem = result.problem
      return
    }
    delete peer.problem
    peer.advert = result.advert
    peer.member = result.member
    peer.unproved = !result.member
    if (result.member) peer.answeredAt = Date.now()
    else peer.problem = 'has not proved the network key (not a member)'
  }

  /** Points a `--peer` name's entry at its current IP; false (logged when it changes) if it does not resolve. */
  private async resolveName(peer: KnownPeer, name: string): Promise<boolean> {
    try {
      peer.host = await this.resolve(name)
      delete peer.unresolved
      return true
    } catch (err) {
      const why = (err as Error).message
      if (peer.unresolved !== why) this.log.warn({ peer: name, port: peer.port }, why)
      peer.unresolved = why
      return false
    }
  }

  /** A link to it just failed: not alive until it answers a probe again. */
  markUnreachable(nodeId: string): void {
    for (const peer of this.#peers.values()) if (peer.advert?.nodeId === nodeId) peer.answeredAt = 0
  }

  /** Adverts of neighbours that answered recently, one per node id (the freshest). */
  alive(now = Date.now()): Advert[] {
    const byId = new Map<string, KnownPeer>()
    for (const peer of this.#peers.values()) {
      if (!peer.advert || !peer.member || now - peer.answeredAt > this.aliveMs) continue
      const other = byId.get(peer.advert.nodeId)
      if (!other || other.answeredAt < peer.answeredAt) byId.set(peer.advert.nodeId, peer)
    }
    return [...byId.values()].map((p) => p.advert!)
  }

  /** The addresses where a member answered recently: which machines heard are placed (discovery window). */
  answeringHosts(now = Date.now()): Set<string> {
    const hosts = new Set<string>()
    for (const peer of this.#peers.values()) if (peer.member && now - peer.answeredAt <= this.aliveMs) hosts.add(peer.host)
    return hosts
  }

  /** Where to reach a member, preferring the address that answered last; only addresses where its own key answered. */
  addressOf(nodeId: string): { host: string; port: number } | null {
    let best: KnownPeer | null = null
    for (const peer of this.#peers.values()) {
      if (peer.member && peer.peer?.nodeId === nodeId && (!best || peer.answeredAt > best.answeredAt)) best = peer
    }
    return best ? { host: best.host, port: best.port } : null
  }

  /** Everything known, members or not: what the Network panel shows. */
  seen(): readonly Readonly<KnownPeer>[] {
    return [...this.#peers.values()]
  }

  get size(): number {
    return this.#peers.size
  }
}
