/**
 * Whether mDNS works where this machine is: the time the last multicast DNS packet from ANOTHER
 * machine arrived on the chosen interface (a query or an answer, for any service: a printer's
 * answer proves multicast reaches us as well as a daemon's). A lone machine on a LAN that
 * drops multicast (a firewall closing UDP 5353, Wi-Fi "client isolation") hears nothing, and
 * `sochat status` says so; our own packets come back to us through multicast loopback and are
 * not counted.
 *
 * It also tells the discovery window (window.ts) when another machine queries for SO-CHAT's
 * own service: an SO-CHAT starting at the same moment as this one, not yet advertising.
 */
import type { EventEmitter } from 'node:events'
import type { MdnsHealth } from '../../shared/index.js'

interface Rinfo {
  address: string
}

interface Query {
  questions?: { name?: unknown }[]
}

export class MdnsHearing {
  #lastHeard: number | null = null
  #error: string | null = null

  constructor(
    private readonly iface: { name: string; address: string },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Listens to a multicast-dns socket's `query` and `response` events; `serviceQueried` is
   * called with its address when another machine asks for the service named `service` (e.g.
   * `_sochat._tcp.local`).
   */
  watch(socket: EventEmitter, service?: string, serviceQueried?: (from: string) => void): void {
    const fromOther = (rinfo: Rinfo | undefined) => Boolean(rinfo?.address && rinfo.address !== this.iface.address)
    const heard = (_packet: unknown, rinfo: Rinfo | undefined) => {
      if (fromOther(rinfo)) this.#lastHeard = this.now()
    }
    socket.on('query', (packet: Query | undefined, rinfo: Rinfo | undefined) => {
      heard(packet, rinfo)
      const asks = Array.isArray(packet?.questions) && packet.questions.some((q) => q?.name === service)
      if (asks && rinfo && fromOther(rinfo)) serviceQueried?.(rinfo.address)
    })
    socket.on('response', heard)
  }

  failed(err: Error): void {
    this.#error = err.message
  }

  health(): MdnsHealth {
    return {
      state: this.#error ? 'failed' : 'listening',
      interface: this.iface.name,
      address: this.iface.address,
      lastHeard: this.#lastHeard,
      error: this.#error,
    }
  }
}

/** What status says when discovery is off (`--no-mdns`). */
export const MDNS_OFF: MdnsHealth = { state: 'off', interface: null, address: null, lastHeard: null, error: null }
