/**
 * The local API, used by the page, the CLI, the tray and scripts (docs/API.md describes it
 * for people). Requests are validated with these schemas at the HTTP boundary; responses are
 * typed with them so the page and the daemon cannot drift apart.
 */
import * as z from 'zod'
import { DIRECT_MAX_MEMBERS, PASSWORD_MAX, PASSWORD_MIN } from './limits.js'
import { EntryId, NotifyLevel, RoomId, type RoomKind, type SealedContent, Username } from './entries.js'
import { FileRef, MAX_FILES_PER_MESSAGE, type SealedBlob } from './files.js'
import type { Role } from './advert.js'
import { PageAttention } from './agent.js'
import type { PersonProfile } from './profile.js'

// Lengths are left to the account rules (daemon/accounts/rules.ts), which say what is wrong
// in words; the HTTP body limit (128 KiB) bounds them here.
export const Credentials = z.object({
  username: z.string(),
  password: z.string(),
})
export type Credentials = z.infer<typeof Credentials>

/** `PUT /api/v1/me/password`: the password in use, and the new one. */
export const PasswordChange = z.object({
  current: z.string(),
  next: z.string(),
})
export type PasswordChange = z.infer<typeof PasswordChange>

// The 16 KiB rule is checked by the route, to answer message_too_large rather than bad_request.
export const PostMessage = z.object({
  text: z.string(),
  files: z.array(FileRef).max(MAX_FILES_PER_MESSAGE).default([]),
  /** The message this one replies to (same room): shown with a quote of it. */
  replyTo: EntryId.optional(),
  /** A reply in this message's thread (a reply in a thread goes to the thread's root). */
  thread: EntryId.optional(),
  /** With `thread`: shown in the room's timeline too. */
  alsoInRoom: z.boolean().optional(),
})

/** `PUT /api/v1/rooms/:room/messages/:id/pin`. */
export const SetPin = z.object({ on: z.boolean() })

/** `GET /api/v1/rooms/:room/messages/:id/thread`: the root and its replies, oldest first, paged back with `before`. */
export const ThreadQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
})

/**
 * What a reply shows of the message it answers, made by the daemon for the person asking:
 * `shown` with its author and first line (plain text), `deleted`, or `unavailable` (sealed
 * and not readable by them, or gone from the log).
 */
export interface ReplyQuote {
  id: string
  state: 'shown' | 'deleted' | 'unavailable'
  author?: string
  /** The first line, at most REPLY_QUOTE_MAX characters. */
  text?: string
  /** The quoted message's seq, to jump to it (`around=` its id loads it). */
  seq?: number
}

/** A quote's text: the first line, cut at this many characters. */
export const REPLY_QUOTE_MAX = 140

/** A thread root's summary: "3 replies, last by bob". */
export interface ThreadSummary {
  count: number
  last: string
  lastTs: number
  /** Who is in the thread: the root's author and everyone who replied (notified of new replies). */
  people: string[]
}

export interface ThreadResponse {
  root: Message
  /** The replies, oldest first. */
  replies: Message[]
  hasOlder: boolean
}

export interface PinsResponse {
  /** Pinned messages in the room's order, oldest message first. */
  pins: Message[]
}

export const MarkRead = z.object({ seq: z.number().int().nonnegative() })

export interface ReadPosition {
  /** The last message seq this person has read in the room (0: none). */
  seq: number
  /** Messages by others after it. */
  unread: number
}

export const MessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Only messages with a sequence number below this one (paging back in history). */
  before: z.coerce.number().int().positive().optional(),
  /** Only messages with a sequence number above this one, the oldest of them (paging forward from an opened search result). */
  after: z.coerce.number().int().nonnegative().optional(),
  /** The history around this message id: about half the page before it, half after, it included. */
  around: z.string().min(1).max(64).optional(),
})

export interface Message {
  id: string
  seq: number
  room: string
  author: string
  /** '' once deleted. */
  text: string
  ts: number
  /** When the author last edited it. */
  edited?: number
  /** The author deleted it: show "deleted", never what it said. */
  deleted?: boolean
  /** Emoji reactions in the order they were first given, each with who gave it. */
  reactions?: ReactionCount[]
  /** A reply: the id of the message it answers, and (in answers) what the person asking sees of it. */
  replyTo?: string
  quote?: ReplyQuote
  /** A thread reply: its root's id. Not in the room's timeline unless `alsoInRoom`. */
  thread?: string
  alsoInRoom?: true
  /** A thread root: how many replies, and the last one's author. */
  replies?: ThreadSummary
  /** Pinned in its room, by whom and when. */
  pinned?: { by: string; ts: number }
  /** Files and pictures it carries (gone once deleted). */
  files?: FileRef[]
  /**
   * The room is end-to-end encrypted and this text was sealed (docs/ARCHITECTURE.md, "Private
   * rooms end to end"); the daemon opened it for the person asking, or says in `unreadable`
   * why it could not (then `text` is '').
   */
  encrypted?: true
  unreadable?: UnreadableReason
  /** The sealed text as the log holds it: in this machine's views only, never in an answer. */
  sealed?: SealedContent
  /** A sealed message's sealed blobs as the log holds them: in this machine's views only, never in an answer. */
  blobs?: SealedBlob[]
}

/**
 * Why a sealed message cannot be read here: `no_key` (no key of its epoch was sealed to you:
 * it was sent before you joined, or after you left), `no_session_key` (this session holds no
 * keys: log in again), `key_invalid` (your copy of the room key does not open or does not
 * match the key everyone was given), `tampered` (the text does not open under the room key).
 */
export type UnreadableReason = 'no_key' | 'no_session_key' | 'key_invalid' | 'tampered'

export interface ReactionCount {
  emoji: string
  users: string[]
}

export const EditMessage = z.object({ text: z.string() })
export const React = z.object({ emoji: z.string(), on: z.boolean() })

export interface MessageResponse {
  message: Message
}

/** A room as the person asking sees it. */
export interface RoomSummary {
  id: string
  kind: RoomKind
  /** '' for a direct conversation: name it after `members`. */
  name: string
  topic: string
  memberCount: number
  /** Direct conversations: everyone in it, sorted. Other rooms: empty (see /members). */
  members: string[]
  /** Whether the person asking is in it. */
  joined: boolean
  /** Messages by others after their read position (0 when not joined). */
  unread: number
  /** Of those, how many mention them. */
  mentions: number
  /** The newest message's seq (0: none), to order conversations by activity. */
  lastSeq: number
  /** What its new messages notify the person asking of on the desktop ('all' unless they chose). */
  notify: NotifyLevel
  /** How many of its messages are pinned (GET …/pins lists them; absent from an older daemon: 0). */
  pins?: number
  /**
   * Its messages are end-to-end encrypted (docs/ARCHITECTURE.md, "Private rooms end to end").
   * Absent or false: public, or a private room or conversation not encrypted yet.
   */
  encrypted?: boolean
  /**
   * A private room or conversation that stays unencrypted because these members have no
   * account keys yet (they get them at their next log-in); absent when nobody is waited for.
   */
  waitingForKeys?: string[]
}

/** `GET /api/v1/rooms`: the rooms and conversations the person is in, general first. */
export interface RoomsResponse {
  rooms: RoomSummary[]
}

/** `GET /api/v1/rooms-directory`: every public room, joined or not, by name. */
export type DirectoryResponse = RoomsResponse

export interface RoomResponse {
  room: RoomSummary
}

/** `GET /api/v1/avatars`: who has a profile picture, and its SHA-256 (changes when it does). */
export interface AvatarsResponse {
  avatars: Record<string, string>
}

export interface MembersResponse {
  /** Sorted by name. */
  members: string[]
  /** Each member's account fingerprint (see ProfileResponse); null: no keys yet. */
  fingerprints: Record<string, string | null>
  /** The display name and status of each member who set one. */
  profiles: Record<string, PersonProfile>
}

/**
 * `PUT /api/v1/profile`: one's own display name and status; empty (or absent) is none. Loose
 * here: the route normalises (NFC, trimmed) and refuses in words (shared/profile.ts).
 */
export const SetProfile = z.object({
  displayName: z.string().max(4096).optional(),
  status: z.string().max(4096).optional(),
  statusEmoji: z.string().max(64).optional(),
})

/** `GET /api/v1/profiles` and `PUT /api/v1/profile`: everyone's display name and status who set one. */
export interface ProfilesResponse {
  profiles: Record<string, PersonProfile>
}

/**
 * `GET /api/v1/me` and `GET /api/v1/people/:username`: a person as others can check them.
 * `fingerprint` is their account's safety number, for two people to compare in person: Signal's
 * numeric fingerprint over the account's public keys and name (docs/ARCHITECTURE.md, "Trust"),
 * 12 groups of 5 digits joined by spaces; null for an account without keys yet.
 */
export interface ProfileResponse {
  username: string
  fingerprint: string | null
}

export const PersonParam = z.object({ username: Username })

/**
 * `GET /api/v1/people`: everyone with an account on the network, online or not, in name order
 * (the page's people directory and quick switcher, issue 17). At most MAX_PEOPLE_LISTED;
 * `more` says the list was cut there.
 */
export interface PeopleResponse {
  /** With each one's display name and status when they set one (shared/profile.ts). */
  people: Array<{ username: string } & PersonProfile>
  more: boolean
}

export const MAX_PEOPLE_LISTED = 2000

/**
 * A line in a room's timeline that is not a message: a member's account keys changed
 * (`keys.changed`: compare their new fingerprint with their own screen) or an account from
 * before account keys got its first (`keys.first`). It stands at `seq`, among the messages.
 */
export interface TimelineNotice {
  room: string
  seq: number
  ts: number
  kind: 'keys.changed' | 'keys.first'
  username: string
  /** Their fingerprint with the keys they have from this notice on. */
  fingerprint: string
}

/** `POST /api/v1/rooms`. The name is normalised first (see shared/rooms.ts). */
export const CreateRoom = z.object({
  name: z.string().max(200),
  topic: z.string().default(''),
  kind: z.enum(['public', 'private']).default('public'),
  invite: z.array(z.string()).max(49).default([]),
})

/** `PATCH /api/v1/rooms/:room`: either or both. */
export const UpdateRoom = z.object({ name: z.string().max(200).optional(), topic: z.string().optional() })

/** `PUT /api/v1/rooms/:room/notify`: what the room's new messages notify the person of. */
export const SetNotify = z.object({ level: NotifyLevel })

/** `POST /api/v1/rooms/:room/members`: invite someone (private rooms: members only). */
export const Invite = z.object({ username: z.string() })

/** `POST /api/v1/direct`: find or start the conversation between the asker and these people. */
export const OpenDirect = z.object({
  with: z
    .array(z.string())
    .min(1)
    .max(DIRECT_MAX_MEMBERS - 1),
})

export const RoomParam = z.object({ room: RoomId })

export interface MessagesResponse {
  messages: Message[]
  /**
   * The room's notices between the same bounds as this page (after its oldest message when the
   * page is full, from the start otherwise, and before `before`), oldest first: each notice
   * comes with exactly one page. Interleave them with `messages` by seq.
   */
  notices: TimelineNotice[]
  /** Pages read with `around` or `after` only: whether older messages exist before this page. */
  hasOlder?: boolean
  /** Pages read with `around` or `after` only: whether newer messages exist after this page. */
  hasNewer?: boolean
}

/** 201 once the relay wrote it; 202 while it waits in this machine's outbox (no relay now). */
export type PostMessageResponse = { state: 'sent'; message: Message } | { state: 'pending'; message: Omit<Message, 'seq'> }

export interface SessionResponse {
  username: string
  /** Use as `Authorization: Bearer <token>`. The page's HttpOnly cookie holds another secret. */
  token: string
  /** Send back as `X-CSRF-Token` on every request authenticated by the cookie (docs/API.md). */
  csrfToken: string
}

export interface PeerStatus {
  nodeId: string
  name: string
  host: string
  peerPort: number
  head: number
  users: string[]
  away: string[]
}

export interface Status {
  nodeId: string
  name: string
  /**
   * This machine's key fingerprint for people to compare: the first 128 bits of SHA-256 over
   * its Ed25519 public key (SPKI DER), 8 groups of 4 upper-case hex digits joined by '-'
   * (daemon/identity). `nodeId` is its first 16 digits, lower case.
   */
  fingerprint: string
  network: string
  role: Role
  term: number
  relayId: string | null
  relayName: string | null
  head: number
  /**
   * The other machines the relay names: those with people on them and the likeliest next
   * relays (daemon/relay/roster-scope.ts), every machine on a network of a few dozen; the
   * relay's own status lists every linked machine. Before a relay is followed: the machines
   * discovery sees.
   */
  peers: PeerStatus[]
  /** Machines on the network, this one included: named in `peers` or not. */
  machines: number
  /** People with a chat page open anywhere on the network. */
  online: string[]
  /** Of `online`, those away everywhere they are online. */
  away: string[]
  ui: string
  peerPort: number
  /** The largest file the relay takes (this daemon's own while it is the relay or alone). */
  maxFileBytes: number
  startedAt: number
  /** What a firewall must let through, and whether it does (README, "Firewall and ports"). */
  reach: Reach
  /** The disk holding the data folder (daemon/store/disk.ts): full while writes are refused for lack of space. */
  disk: DiskState
}

/** `full`: a write was refused for lack of space and none has succeeded since; `free`: bytes free, as of the last look. */
export interface DiskState {
  full: boolean
  free: number
}

/** A port asked for (a flag or the default) and the one bound: the next free one when it was taken. */
export interface PortBinding {
  asked: number
  bound: number
}

export interface Reach {
  /** TCP, on every interface: the port other machines must reach. */
  peerPort: PortBinding
  /** TCP, on 127.0.0.1 only: never needs opening in a firewall. */
  uiPort: PortBinding
  mdns: MdnsHealth
}

/** Discovery on UDP 5353 (multicast 224.0.0.251) of the chosen interface (daemon/discovery/hearing.ts). */
export interface MdnsHealth {
  /** `off` with --no-mdns; `failed` when its socket broke (discovery stays off until restart). */
  state: 'off' | 'listening' | 'failed'
  interface: string | null
  address: string | null
  /** When a multicast DNS packet from another machine last arrived (any service), or null: never. */
  lastHeard: number | null
  error: string | null
}

/** A message of this user still in this machine's outbox (no relay has confirmed it yet). */
export type PendingMessage = Omit<Message, 'seq'>

export interface OutboxResponse {
  pending: PendingMessage[]
}

/** Frames the daemon pushes to an open page over `GET /api/v1/events` (WebSocket). */
export type UiEvent =
  | { type: 'message'; message: Message }
  | { type: 'status'; status: Status }
  /** The relay refused one of this user's queued messages; it will not be sent. */
  | { type: 'failed'; id: string; code: string; message: string }
  /**
   * This machine's log was rewound to merge with a relay it had diverged from (a healed
   * partition): messages keep their ids but may have new seqs. Reload the history.
   */
  | { type: 'history' }
  /** This user's read position moved (here or on another machine). */
  | { type: 'read'; room: string; seq: number }
  /** Someone started or stopped typing; a start lasts a few seconds unless repeated. */
  | { type: 'typing'; room: string; username: string; on: boolean }
  /** A message was edited, deleted or reacted to: here it is as it is now. */
  | { type: 'updated'; message: Message }
  /** A notice for a room's timeline (a member's keys changed), to readers of that room. */
  | { type: 'notice'; notice: TimelineNotice }
  /** The person's rooms changed (created, joined, left, invited, renamed, topic): refetch them. */
  | { type: 'rooms' }
  /** Someone set or removed their profile picture: load /api/v1/avatars/<username> again. */
  | { type: 'avatar'; username: string }
  /** Someone set their display name or status: load GET /api/v1/profiles again. */
  | { type: 'profile'; username: string }
  /**
   * The machines of the network changed (one asked to join, was let in, refused or removed,
   * linked, went quiet, or the network was opened or closed): refetch GET /api/v1/machines.
   */
  | { type: 'machines' }

/** The person set themselves away (`on`) or back to automatic (`off`). */
export const PageAway = z.object({ type: z.literal('away'), on: z.boolean() })
export type PageAway = z.infer<typeof PageAway>

/** The page is typing in the room it shows (`on`), or stopped (sent, or cleared the box). */
export const PageTyping = z.object({ type: z.literal('typing'), room: RoomId, on: z.boolean() })
export type PageTyping = z.infer<typeof PageTyping>

/** What a page may send on its events socket. */
export const PageFrame = z.discriminatedUnion('type', [PageAttention, PageTyping, PageAway])
export type PageFrame = z.infer<typeof PageFrame>

export const PASSWORD_RULE = `Passwords are ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`
