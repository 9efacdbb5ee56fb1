/**
 * The asking side of joining.ts: one round every `ROUND_MS` while this machine holds no
 * network key, asking every machine seen, until a key is held (founded or received).
 *
 * It also runs for a machine whose key went **stale**: it was off when a member was removed,
 * so the others hold a new key and refuse its proof (`staleKey`, from what its probes see).
 * Then it asks to join again, and a person lets it in; it never founds a network of its own
 * in that state (the network exists: it just is not in it any more).
 */
import type { Logger } from 'pino'
import { NetworkKey, openNetworkKey, type MachineIdentity } from '../identity/index.js'
import { peerRequest, readText, type PeerTls } from '../link/index.js'
import type { Admission } from './admission.js'
import { roundOutcome, type JoinAnswer } from './joining.js'

export const ROUND_MS = 2000
/** At most this many machines are asked in one round (a LAN full of adverts must not cost a storm). */
const ASKED_PER_ROUND = 16

export interface NewcomerOptions {
  admission: Admission
  tls: PeerTls
  identity: MachineIdentity
  name: string
  network: string
  /** Addresses of SO-CHAT machines seen (mDNS, --peer). */
  candidates: () => { host: string; port: number }[]
  /** How long to look for a network before founding one (discovery/window.ts). */
  discoveryWindow: { over(): boolean; remaining(): number }
  /** True while this machine holds a key no machine it sees accepts (see the top of this file). */
  staleKey: () => boolean
  /** Machines to ask while the key is stale: those that answered TLS but did not prove our key. */
  holders: () => { host: string; port: number }[]
  log: Logger
}

export class Newcomer {
  #timer: NodeJS.Timeout | null = null
  #stopped = false

  constructor(private readonly opts: NewcomerOptions) {}

  start(): void {
    this.schedule(0)
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
  }

  private schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.round()
        .catch((err: unknown) => this.opts.log.error({ err }, 'asking to join failed; trying again'))
        .finally(() => this.schedule(this.nextRoundIn()))
    }, ms)
    this.#timer.unref()
  }

  /** A round every ROUND_MS; while the discovery window is still open and no key is held, also the moment it ends, so founding does not wait a round past it. */
  private nextRoundIn(): number {
    const window = this.opts.discoveryWindow
    return this.opts.admission.key() || window.over() ? ROUND_MS : Math.min(ROUND_MS, window.remaining())
  }

  private async round(): Promise<void> {
    const { admission, identity } = this.opts
    const held = admission.key()
    if (held && !this.opts.staleKey()) return admission.setStale(false)
    const answers: { nodeId: string | null; answer: JoinAnswer }[] = []
    for (const to of (held ? this.opts.holders() : this.opts.candidates()).slice(0, ASKED_PER_ROUND)) {
      const asked = await this.ask(to.host, to.port)
      if (admission.key() !== held) return // founded, let in or rekeyed meanwhile
      if (asked.sealedKey) {
        try {
          return await admission.hold(await openNetworkKey(asked.sealedKey, identity.privateKey), 'admitted')
        } catch (err) {
          this.opts.log.warn({ err, from: to.host }, 'a machine sent a network key this machine cannot open; ignored')
          continue
        }
      }
      answers.push(asked)
    }
    const outcome = roundOutcome({ selfId: identity.nodeId, windowOver: this.opts.discoveryWindow.over(), answers })
    if (held) return admission.setStale(outcome.kind === 'asking')
    if (outcome.kind === 'found') return admission.hold(NetworkKey.generate(), 'founded')
    if (outcome.kind === 'asking') {
      const holders = answers.filter((a) => a.answer === 'asking' || a.answer === 'refused').length
      admission.setStanding(outcome.refusedBy === holders ? 'refused' : 'asking')
    }
  }

  private async ask(host: string, port: number): Promise<{ nodeId: string | null; answer: JoinAnswer; sealedKey?: string }> {
    const body = JSON.stringify({ name: this.opts.name, network: this.opts.network })
    try {
      const { res, peer } = await peerRequest(this.opts.tls, { host, port }, 'POST', '/peer/v1/join', {
        timeoutMs: 1500,
        headers: { 'content-type': 'application/json' },
        body,
      })
      const answer = JSON.parse(await readText(res)) as { sealedKey?: unknown }
      const nodeId = peer.nodeId
      if (res.statusCode === 200 && typeof answer.sealedKey === 'string') return { nodeId, answer: 'admitted', sealedKey: answer.sealedKey }
      if (res.statusCode === 202) return { nodeId, answer: 'asking' }
      if (res.statusCode === 403) return { nodeId, answer: 'refused' }
      if (res.statusCode === 409) return { nodeId, answer: 'no-network' }
      return { nodeId, answer: 'unreachable' }
    } catch {
      return { nodeId: null, answer: 'unreachable' } // not running, an older SO-CHAT, or not SO-CHAT
    }
  }
}
