/**
 * The machines of a network, as the page's Network panel and `GET /api/v1/machines` show them
 * (docs/API.md). A machine is known by its key: `nodeId` and `fingerprint` both derive from
 * its public key (daemon/identity), so the fingerprint a person reads on one screen and
 * compares on another proves which machine they are letting in.
 *
 * States, from this machine's point of view:
 * - `this`      — the machine serving the page.
 * - `member`    — holds the network key: links to it are accepted and it may be relay.
 * - `asking`    — has no key, asked to join; members see "Let in / Refuse".
 * - `refused`   — asked and was refused; it may ask again later (shown, not hidden).
 * - `removed`   — was a member, removed by a person; the key was replaced since.
 * - `stranger`  — seen (mDNS or an address given), has not proved the key nor asked.
 * - `outdated`  — speaks an older SO-CHAT protocol; it must be updated before it can join.
 */
import * as z from 'zod'
import { NodeId } from './entries.js'

export const MachineState = z.enum(['this', 'member', 'asking', 'refused', 'removed', 'stranger', 'outdated'])
export type MachineState = z.infer<typeof MachineState>

/** `83D1-2D79-8CFB-20B2-5E0A-91C4-7B3F-D2A8`: the first 128 bits of SHA-256(SPKI), for people. */
export const Fingerprint = z.string().regex(/^[0-9A-F]{4}(?:-[0-9A-F]{4}){7}$/)

/** How this machine learnt of another one. */
export const SeenBy = z.enum(['mdns', 'static', 'roster', 'link', 'asked'])
export type SeenBy = z.infer<typeof SeenBy>

export interface MachineView {
  nodeId: string
  name: string
  fingerprint: string
  state: MachineState
  /** Its IP as last seen, or null. */
  address: string | null
  /** Last time anything was heard from it (ms since the epoch), or null. */
  lastSeen: number | null
  /** Linked to the relay now (or is the relay). */
  linked: boolean
  /** Why it is not linked, or the last error seen with it, in words; null when all is well. */
  problem: string | null
  seenBy: SeenBy[]
}

/** How this machine stands in its network. */
export const NetworkStanding = z.enum(['member', 'asking', 'refused', 'alone'])
export type NetworkStanding = z.infer<typeof NetworkStanding>

export interface NetworkView {
  /** The network's name (`--network`). */
  name: string
  /** Open networks let in every SO-CHAT machine that finds them (still over encrypted links). */
  open: boolean
  /**
   * `member`: this machine holds the key. `asking`: it has none and waits for a person on a
   * member machine to let it in. `refused`: it was refused. `alone`: no network found yet.
   */
  standing: NetworkStanding
  /** The interface mDNS uses, or null when discovery is off. */
  interface: string | null
}

/**
 * A relay key caught signing two histories for one term (daemon/replica/order-check.ts): the
 * two statements are kept on this machine as proof, and that relay is not followed.
 */
export interface ForkReport {
  relayId: string
  /** Its name if this machine knows it, else null (the fingerprint says who it is). */
  name: string | null
  fingerprint: string
  term: number
  detectedAt: number
}

export interface MachinesResponse {
  network: NetworkView
  machines: MachineView[]
  /**
   * Machines linked to the relay that it does not name to this one: on a large network a
   * client is told only of the machines with people on them and the likeliest next relays
   * (daemon/relay/roster-scope.ts), and counts the rest. 0 on the relay, and on a network of
   * a few dozen machines.
   */
  unlisted: number
  /** Forks seen by this machine, newest first; absent or empty when none. */
  forks?: ForkReport[]
}

export const MachineAction = z.enum(['admit', 'refuse', 'remove'])
export type MachineAction = z.infer<typeof MachineAction>

export const MachineParams = z.object({ id: NodeId, action: MachineAction })

export const NetworkChange = z.object({ open: z.boolean() })
