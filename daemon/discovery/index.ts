export { MdnsDiscovery, REQUERY_MS, type MdnsSighting } from './mdns.js'
export { PeerDirectory, type KnownPeer, type PeerSource } from './directory.js'
export { probeAdvert } from './probe.js'
export { chooseInterface, type ChosenInterface } from './interfaces.js'
