export { MdnsDiscovery, type MdnsSighting } from './mdns.js'
export { PeerDirectory, type KnownPeer, type PeerSource } from './directory.js'
export { chooseInterface, type ChosenInterface } from './interfaces.js'
export { probeOver, type Probe, type ProbeResult } from './probe.js'
