/**
 * mDNS with bonjour-service on one chosen interface: publish our advert, browse for others.
 */
import type { EventEmitter } from 'node:events'
import { Bonjour, type Browser, type Service } from 'bonjour-service'
import type { Logger } from 'pino'
import { SERVICE_TYPE, advertFromTxt, advertToTxt, type Advert } from '../../shared/index.js'
import { MdnsHearing } from './hearing.js'

export const REQUERY_MS = 3000

export interface MdnsSighting {
  host: string
  port: number
  advert: Advert
}

export interface MdnsOptions {
  /** The interface to use (its IPv4 address); multicast goes out there and only there. */
  iface: { name: string; address: string }
  log: Logger
  onUp: (s: MdnsSighting) => void
  onDown: (host: string, port: number) => void
  /** Another machine asked for SO-CHAT's service: one may be starting right now (window.ts). */
  onServiceQueried?: (from: string) => void
}

export class MdnsDiscovery {
  readonly #bonjour: Bonjour
  readonly #browser: Browser
  readonly #requery: NodeJS.Timeout
  #service: Service | null = null
  #published: string | null = null
  readonly hearing: MdnsHearing

  constructor(private readonly opts: MdnsOptions) {
    this.hearing = new MdnsHearing(opts.iface)
    // bind 0.0.0.0: a socket bound to the interface's unicast address never receives
    // multicast on Linux; `interface` still chooses where we send and which group we join.
    this.#bonjour = new Bonjour({ interface: opts.iface.address, bind: '0.0.0.0' } as unknown as Record<string, never>, (err: Error) => {
      this.hearing.failed(err)
      opts.log.error({ err }, 'mDNS failed; discovery is off until restart, --peer addresses still work')
    })
    // bonjour-service keeps its multicast-dns socket private; it is the one place every packet
    // passes, so status can say whether anything was ever heard (hearing.ts).
    const socket = (this.#bonjour as unknown as { server?: { mdns?: EventEmitter } }).server?.mdns
    if (socket) this.hearing.watch(socket, `_${SERVICE_TYPE}._tcp.local`, opts.onServiceQueried)
    else opts.log.warn('bonjour-service changed its internals: status cannot say whether mDNS is heard')
    this.#browser = this.#bonjour.find({ type: SERVICE_TYPE, protocol: 'tcp' })
    this.#browser.on('up', (s) => this.sighting(s))
    this.#browser.on('txt-update', (s) => this.sighting(s))
    this.#browser.on('srv-update', (s) => this.sighting(s))
    this.#browser.on('down', (s) => {
      const host = s.referer?.address
      if (host) opts.onDown(host, s.port)
    })
    // Active queries: answers to them also carry services published before we listened.
    this.#requery = setInterval(() => this.#browser.update(), REQUERY_MS)
    this.#requery.unref()
  }

  /** Publishes, or re-publishes when the advert changed (the caller does so on role or term changes). */
  publish(advert: Advert): void {
    const txt = advertToTxt(advert)
    const signature = JSON.stringify(txt)
    if (signature === this.#published) return
    this.#published = signature
    const publishNew = () => {
      this.#service = this.#bonjour.publish({
        name: `sochat-${advert.nodeId}`,
        host: `sochat-${advert.nodeId}.local`,
        type: SERVICE_TYPE,
        port: advert.peerPort,
        txt,
        probe: false, // the name carries our unique node id
        disableIPv6: true,
      })
      this.#service.on('error', (err: Error) => this.opts.log.warn({ err }, 'mDNS publish failed'))
    }
    if (this.#service) this.#service.stop?.(publishNew)
    else publishNew()
  }

  /** Sends goodbyes (TTL 0) so neighbours drop us now rather than after a timeout. */
  async stop(): Promise<void> {
    clearInterval(this.#requery)
    this.#browser.stop()
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000)
      this.#bonjour.unpublishAll(() => {
        clearTimeout(timer)
        resolve()
      })
    })
    await new Promise<void>((resolve) => this.#bonjour.destroy(() => resolve()))
  }

  private sighting(s: Service): void {
    const host = s.referer?.address
    const advert = s.txt ? advertFromTxt(s.txt as Record<string, unknown>) : null
    if (!host || !advert) {
      this.opts.log.debug({ name: s.name }, 'ignored an mDNS service without a valid SO-CHAT advert')
      return
    }
    this.opts.onUp({ host, port: s.port, advert })
  }
}
