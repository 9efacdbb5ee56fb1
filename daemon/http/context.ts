import type { Readable } from 'node:stream'
import type { Logger } from 'pino'
import type { Status } from '../../shared/index.js'
import type { Accounts } from '../accounts/index.js'
import type { Desktop } from '../desktop/index.js'
import type { BlobStore, Uploads } from '../files/index.js'
import type { Outbox } from '../outbox/index.js'
import type { Search } from '../search/index.js'
import type { Store } from '../store/index.js'
import type { Auth } from './auth.js'
import type { MachineDesk } from './machine-desk.js'
import type { PageSockets } from './page-sockets.js'

/** What the routes may use. Built once by the daemon (daemon.ts) and given to `UiServer.build`; nothing here is global. */
export interface HttpContext {
  store: Store
  accounts: Accounts
  outbox: Outbox
  auth: Auth
  pages: PageSockets
  status: () => Status
  desktop: Desktop
  /** Someone on this machine started or stopped typing (in the page). */
  typing: (username: string, room: string, on: boolean) => void
  /** The tray's credential (daemon/desktop/secret.ts). */
  agentSecret: string
  log: Logger
  /** Shared files' bytes, and this machine's uploads in progress. */
  blobs: BlobStore
  uploads: Uploads
  /** The largest file the relay takes. */
  maxFileBytes: () => number
  /** Makes sure this machine has a blob, fetching it from the network (the relay, then `origin`) if need be. */
  fetchBlob: (sha256: string, origin?: string) => Promise<void>
  /**
   * A blob's `size` bytes for the page, as they arrive when this machine lacks it (the last
   * byte only once verified: daemon/files/follow.ts); throws when no machine has it.
   */
  streamBlob: (sha256: string, size: number, origin?: string) => Promise<Readable>
  /** How long a write waits for the relay before answering "pending" (202). */
  submitTimeoutMs: number
  /**
   * The machines of the network and the person's say over them (the Network panel). Absent
   * until daemon/admission is wired in: the routes then answer 503 `internal`.
   */
  machines?: MachineDesk
  /**
   * Shuts the daemon down (its owner, daemon/cli, closes everything and removes the pid file):
   * what `sochat stop` asks for over the control socket. Absent when the daemon is embedded
   * (tests): the stop route then answers 503.
   */
  requestStop?: () => void
  /** Full-text search (daemon/search). Absent when the daemon is built without it: the route answers 503. */
  search?: Search
}
