/**
 * Which addresses we dial, and how a `--peer` name becomes one.
 *
 * A roster is the relay's word, and the relay is any daemon on the LAN. Each host in it is
 * what the relay saw as that peer's remote address, so it is an IP; anything else is refused
 * before we connect. A name would make us ask DNS on a stranger's say-so and send a Host the
 * peer port refuses (link/guards.ts). Loopback and "this host" (127.0.0.0/8, ::1, 0.0.0.0, ::)
 * would point us at our own machine's ports, and multicast cannot be dialled at all. The
 * person's own `--peer` is trusted as given (tests and two daemons on one machine use
 * 127.0.0.1); only a name there is resolved, since the peer port answers to IPs alone.
 */
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

const NOT_A_PEER = new BlockList()
NOT_A_PEER.addSubnet('0.0.0.0', 8, 'ipv4') // "this network", 0.0.0.0 included
NOT_A_PEER.addSubnet('127.0.0.0', 8, 'ipv4') // loopback
NOT_A_PEER.addSubnet('224.0.0.0', 4, 'ipv4') // multicast, mDNS's 224.0.0.251 included
NOT_A_PEER.addAddress('255.255.255.255', 'ipv4') // broadcast
NOT_A_PEER.addAddress('::', 'ipv6')
NOT_A_PEER.addAddress('::1', 'ipv6')
NOT_A_PEER.addSubnet('ff00::', 8, 'ipv6') // multicast, link-local ff02:: included

/** A roster host we may dial: an IP literal of another machine. BlockList also matches IPv4 rules against ::ffff:a.b.c.d. */
export function isRosterHost(host: string): boolean {
  const family = isIP(host)
  if (family === 0) return false
  return !NOT_A_PEER.check(host, family === 4 ? 'ipv4' : 'ipv6')
}

/**
 * The IP a `--peer` host stands for: itself when it is one, else what the system resolver
 * says, IPv4 first (the peer port listens on 0.0.0.0, IPv4 only). Rejects with a sentence
 * naming the host when it does not resolve.
 */
export async function resolvePeerHost(host: string): Promise<string> {
  if (isIP(host)) return host
  let found: { address: string; family: number }[]
  try {
    found = await lookup(host, { all: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'no answer'
    throw new Error(`--peer ${host} does not resolve to an address (${code}); check the name or give its IP address.`, { cause: err })
  }
  const chosen = found.find((a) => a.family === 4) ?? found[0]
  if (!chosen) throw new Error(`--peer ${host} resolves to no address; check the name or give its IP address.`)
  return chosen.address
}
