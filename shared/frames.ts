/**
 * Frames on the daemon-to-daemon link: one JSON object per WebSocket text message, validated
 * by `parseFrame` before anything acts on it. The client daemon speaks first (`hello`); the
 * relay answers `welcome`, streams `entries` from the agreed point, then live ones; `submit`
 * asks the relay to order an entry and is answered by `ack` or `reject`; `offer` names the files
 * a submission will need before they are pushed (the relay takes no other files).
 */
import * as z from 'zod'
import { EntryId, Entry, NodeId, RoomId, Submission, Username } from './entries.js'
import { MAX_FILES_PER_MESSAGE, Sha256 } from './files.js'
import { ERROR_CODES } from './errors.js'
import { OrderStatement } from './chain.js'
import {
  HEARTBEAT_PERIOD_MAX_MS,
  HEARTBEAT_PERIOD_MIN_MS,
  MAX_MACHINES,
  MAX_SEQ,
  MAX_TERM,
  MAX_USERS_PER_MACHINE,
  ROSTER_CHUNK,
} from './limits.js'
import { PresencePass } from './presence.js'

/**
 * Terms and positions in the log, bounded (limits.ts): a relay, a client or a roster claiming
 * more is refused as frame_invalid before anything compares or adds to the number. Entries
 * themselves keep the schema of shared/entries.ts: a log written before the bounds must still
 * replicate.
 */
const Term = z.number().int().positive().max(MAX_TERM)
const Seq = z.number().int().positive().max(MAX_SEQ)
const Head = z.number().int().nonnegative().max(MAX_SEQ)
/**
 * How often the client pings its relay from now on (daemon/link/heartbeat.ts): set by the relay
 * for its number of machines, in welcome and roster frames; absent, the period stays as it was.
 */
const HeartbeatMs = z.number().int().min(HEARTBEAT_PERIOD_MIN_MS).max(HEARTBEAT_PERIOD_MAX_MS)

/** A (seq, id) pair from the sender's log, used to find where two logs agree. */
export const Checkpoint = z.object({ seq: Seq, id: EntryId })
export type Checkpoint = z.infer<typeof Checkpoint>

const code = z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]])

export const Hello = z.object({
  type: z.literal('hello'),
  proto: z.number().int(),
  network: z.string().max(63),
  nodeId: NodeId,
  name: z.string().min(1).max(63),
  startedAt: z.number().int().nonnegative(),
  peerPort: z.number().int().min(1).max(65535),
  head: Head,
  /** Newest first, at exponentially growing distances from head. */
  checkpoints: z.array(Checkpoint).max(64),
})

export const Welcome = z.object({
  type: z.literal('welcome'),
  relayId: NodeId,
  term: Term,
  head: Head,
  /** The client keeps its log up to here; everything after it comes from the relay. */
  from: Head,
  /** The largest file this relay takes: pages check it before uploading. */
  maxFileBytes: z.number().int().positive(),
  /**
   * The relay's signed statement of chain(from) (shared/chain.ts): the follower keeps its log
   * up to `from` only if its own chain there is the same, so the shared prefix is proved by
   * hash, not by one entry id. chain(0) is everyone's, so `from` 0 proves nothing to refuse.
   */
  at: OrderStatement,
  /** The same for chain(head): where this relay's log stands in this term. */
  tip: OrderStatement,
  heartbeatMs: HeartbeatMs.optional(),
})

export const Entries = z.object({
  type: z.literal('entries'),
  entries: z.array(Entry).min(1).max(2000),
  /** The relay's signed statement of chain(seq of the last entry): checked before any is applied. */
  order: OrderStatement,
})

export const Submit = z.object({ type: z.literal('submit'), submission: Submission })
/**
 * The most blobs one submission stands for: each file is its bytes, and a picture also its
 * thumbnail and display sizes (daemon/files/refs.ts).
 */
export const MAX_OFFERED_BLOBS = MAX_FILES_PER_MESSAGE * 3

/**
 * Client -> relay, just before it pushes a submission's files (`PUT /peer/v1/blobs/<sha256>`):
 * the blobs submission `id` needs, each with its size. The relay stores only a file its
 * sender's machine offered, up to the size offered (daemon/relay/offers.ts), so no machine can
 * fill its disk with files no message names; and the submission `id` must then be the one that
 * names the blob (daemon/relay/file-admission.ts: otherwise `reject file_not_offered`). Not
 * answered: a push that was not offered gets `403 not_offered`, and the sender's outbox offers
 * again and retries.
 */
export const Offer = z.object({
  type: z.literal('offer'),
  id: EntryId,
  blobs: z
    .array(z.object({ sha256: Sha256, bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }))
    .min(1)
    .max(MAX_OFFERED_BLOBS),
})
export type Offer = z.infer<typeof Offer>

export const Ack = z.object({ type: z.literal('ack'), id: EntryId, seq: Seq })
export const Reject = z.object({ type: z.literal('reject'), id: EntryId, code, message: z.string().max(500) })

export const PeerSummary = z.object({
  nodeId: NodeId,
  name: z.string().max(63),
  host: z.string().max(255),
  peerPort: z.number().int().min(1).max(65535),
  startedAt: z.number().int().nonnegative(),
  head: Head,
  users: z.array(Username).max(MAX_USERS_PER_MACHINE),
  /** Of `users`, those away on that machine (no page looked at for a while, or set by hand). */
  away: z.array(Username).max(MAX_USERS_PER_MACHINE),
  /** Its key's fingerprint, from the TLS certificate of its link (the relay's own for itself), for people to compare. */
  fingerprint: z
    .string()
    .regex(/^[0-9A-F]{4}(?:-[0-9A-F]{4}){7}$/)
    .optional(),
})
export type PeerSummary = z.infer<typeof PeerSummary>

/** Client -> relay: who has this machine's chat page open, which of them are away, and their passes. */
export const Presence = z.object({
  type: z.literal('presence'),
  users: z.array(Username).max(MAX_USERS_PER_MACHINE),
  away: z.array(Username).max(MAX_USERS_PER_MACHINE),
  /** Each user's pass for this machine (shared/presence.ts); a user without one is not shown (but for accounts without keys). */
  passes: z.array(PresencePass).max(MAX_USERS_PER_MACHINE),
})
export type Presence = z.infer<typeof Presence>

/**
 * Relay -> every live client: the machines it names and who is online. It names the relay,
 * every machine with people on it and the likeliest next relays, not every machine
 * (daemon/relay/roster-scope.ts: naming every machine to every client is Θ(machines²) bytes);
 * `machines` counts them all. A client that goes live gets the whole list (`reset` on its
 * first part, parts of at most ROSTER_CHUNK peers); after that, within a second of a change,
 * everyone gets only what changed: `peers` named anew or changed, `gone` the node ids no
 * longer named (left, or no longer among those named). A new count alone travels with the
 * next change, or within a minute (daemon/relay/roster-feed.ts ROSTER_COUNT_MS).
 */
export const Roster = z.object({
  type: z.literal('roster'),
  relayId: NodeId,
  term: Term,
  head: Head,
  reset: z.boolean(),
  peers: z.array(PeerSummary).max(ROSTER_CHUNK),
  gone: z.array(NodeId).max(ROSTER_CHUNK),
  /** Machines linked to the relay, itself included; absent from a relay that names every one (before issue 18). */
  machines: z.number().int().min(1).max(MAX_MACHINES).optional(),
  heartbeatMs: HeartbeatMs.optional(),
})

/**
 * Either way, never stored: someone started (`on`) or stopped typing in a room. A client
 * sends its people's; the relay passes each on to every other client.
 */
export const Typing = z.object({ type: z.literal('typing'), room: RoomId, username: Username, on: z.boolean() })

/** Relay -> every client, when it shuts down cleanly: who takes over, with which term. */
export const Handover = z.object({ type: z.literal('handover'), successor: NodeId, term: Term })

export const ErrorFrame = z.object({ type: z.literal('error'), code, message: z.string().max(500) })

export const Frame = z.discriminatedUnion('type', [
  Hello,
  Welcome,
  Entries,
  Submit,
  Offer,
  Ack,
  Reject,
  Presence,
  Roster,
  Typing,
  Handover,
  ErrorFrame,
])

export type Hello = z.infer<typeof Hello>
export type Typing = z.infer<typeof Typing>
export type Welcome = z.infer<typeof Welcome>
export type Roster = z.infer<typeof Roster>
export type Handover = z.infer<typeof Handover>
export type Frame = z.infer<typeof Frame>

export type FrameResult = { ok: true; frame: Frame } | { ok: false; message: string }

/** Parses one link message. Pure: never throws, never trusts. */
export function parseFrame(raw: string): FrameResult {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return { ok: false, message: 'frame is not JSON' }
  }
  const parsed = Frame.safeParse(json)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    return { ok: false, message: `frame invalid at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'unknown'}` }
  }
  return { ok: true, frame: parsed.data }
}
