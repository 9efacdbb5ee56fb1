/**
 * What the roles are handed by daemon.ts: this machine's identity and the concerns they drive.
 * A file of its own so the coordinator and the client session can both name it without
 * importing each other.
 */
import type { Logger } from 'pino'
import type { Presence } from '../../shared/index.js'
import type { DiscoveryWindow, PeerDirectory } from '../discovery/index.js'
import type { PeerTls } from '../link/index.js'
import type { Outbox } from '../outbox/index.js'
import type { Replica } from '../replica/index.js'

export interface Identity {
  nodeId: string
  /** The machine key's fingerprint (daemon/identity). */
  fingerprint: string
  name: string
  network: string
  startedAt: number
  peerPort: number
}

export interface CoordinatorDeps {
  me: Identity
  replica: Replica
  outbox: Outbox
  directory: PeerDirectory
  /** How long to look for other machines before taking the relay's role (discovery/window.ts). */
  discoveryWindow: DiscoveryWindow
  /** Opens links to relays: TLS with this machine's key, proving the network key. */
  tls: PeerTls
  log: Logger
  /** Who has a page open on this machine, and who of them is away. */
  localPresence: () => Omit<Presence, 'type'>
  /** Whether this machine has a shared file's bytes (the relay orders no message without them). */
  hasBlob: (sha256: string) => Promise<boolean>
  /** This daemon's own file limit, for when it is the relay. */
  maxFileBytes: number
  /** Highest term this machine has seen before it started (persisted). */
  savedTerm: number
  saveTerm: (term: number) => Promise<void>
}
