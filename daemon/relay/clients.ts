/**
 * The machines a relay knows: itself (`RelaySelf`), and each client daemon's link as the relay
 * keeps it (`ClientLink`: who it said it is in its hello, who its certificate says it is, who
 * has a page open there, and its submissions' queue). Shared by relay.ts (which makes and drops
 * links) and roster-feed.ts (which lists them).
 */
import type { Hello, PeerSummary, Submission } from '../../shared/index.js'
import type { SubmitQueue } from './pacing.js'

export interface RelaySelf {
  nodeId: string
  /** This machine's key fingerprint, shown with it in the roster. */
  fingerprint?: string
  name: string
  network: string
  peerPort: number
  startedAt: number
  /** Users with this machine's page open, and who of them is away. */
  presence: () => { users: string[]; away: string[] }
  /** Whether this machine has a shared file's bytes: a message is ordered only once it does. */
  hasBlob: (sha256: string) => Promise<boolean>
  maxFileBytes: number
}

export interface ClientLink {
  hello: Hello
  host: string
  /** The fingerprint of the key its TLS certificate carries. */
  fingerprint?: string
  live: boolean
  users: string[]
  away: string[]
  /** Presence frames received, so a slower check of an older one does not overwrite a newer (relay.ts). */
  presenceAsked: number
  typing: { second: number; count: number }
  /** Its machine: the node id of its certificate's key (the hello's must match it, relay.ts welcome). */
  machine: string
  /** Its submissions on their way to be ordered, at its machine's and accounts' pace (pacing.ts). */
  queue: SubmitQueue<Submission>
}

/** The roster's line for a client; a live one has the relay's head. */
export function summaryOf(l: ClientLink, head: number): PeerSummary {
  return {
    nodeId: l.hello.nodeId,
    name: l.hello.name,
    host: l.host,
    peerPort: l.hello.peerPort,
    startedAt: l.hello.startedAt,
    head: l.live ? head : l.hello.head,
    users: l.users,
    away: l.away,
    ...(l.fingerprint ? { fingerprint: l.fingerprint } : {}),
  }
}
