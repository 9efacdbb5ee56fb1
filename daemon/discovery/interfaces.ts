import { networkInterfaces } from 'node:os'
import { InputError } from '../errors/index.js'

export interface ChosenInterface {
  name: string
  address: string
}

/**
 * The interface mDNS uses. Named with --interface, or else the first non-loopback IPv4 one.
 * (A machine on Wi-Fi and Ethernet at once needs --interface: multicast goes out one way.)
 */
export function chooseInterface(name?: string): ChosenInterface {
  const all = networkInterfaces()
  if (name) {
    const v4 = (all[name] ?? []).find((i) => i.family === 'IPv4')
    if (!v4) {
      const names = Object.keys(all).join(', ')
      throw new InputError('bad_request', `No IPv4 address on interface "${name}". Interfaces here: ${names}.`)
    }
    return { name, address: v4.address }
  }
  for (const [ifName, addrs] of Object.entries(all)) {
    const v4 = (addrs ?? []).find((i) => i.family === 'IPv4' && !i.internal)
    if (v4) return { name: ifName, address: v4.address }
  }
  throw new InputError('bad_request', 'No network interface with an IPv4 address is up. Connect to the LAN, or use --no-mdns with --peer.')
}
