/**
 * Whether mDNS works where this machine is: the time the last multicast DNS packet from ANOTHER
 * machine arrived on the chosen interface (a query or an answer, for any service: a printer's
 * answer proves multicast reaches us as well as a daemon's). A lone machine on a LAN that
 * drops multicast (a firewall closing UDP 5353, Wi-Fi "client isolation") hears nothing, and
 * `sochat status` says so; our own packets come back to us through multicast loopback and are
 * not counted.
 */
import type { EventEmitter } from 'node:events'
import type { MdnsHealth } from '../../shared/index.js'

interface Rinfo {
  address: string
}

export class MdnsHearing {
  #lastHeard: number | null = null
  #error: string | null = null

  constructor(
    private readonly iface: { name: string; address: string },
    private readonly now: () => number = Date.now,
  ) {}

  /** Listens to a multicast-dns socket's `query` and `response` events. */
  watch(socket: EventEmitter): void {
    const heard = (_packet: unknown, rinfo: Rinfo | undefined) => {
      if (rinfo?.address && rinfo.address !== this.iface.address) this.#lastHeard = this.now()
    }
    socket.on('query', heard)
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
