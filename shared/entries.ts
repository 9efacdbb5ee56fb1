/**
 * The log: every change to the chat is an entry the relay orders. An entry is born as a
 * Submission (client-generated id, so a retry is idempotent), and becomes an Entry when the
 * relay gives it a sequence number and the term it was written in.
 */
import * as z from 'zod'
import { FILE_NAME_MAX, FileRef, MAX_BLOBS_PER_MESSAGE, MAX_FILES_PER_MESSAGE, SealedBlob, Sha256 } from './files.js'
import { displayNameProblem, statusProblem } from './profile.js'
import {
  DIRECT_MAX_MEMBERS,
  MAX_DATE_MS,
  MAX_MESSAGE_BYTES,
  REACTION_MAX,
  ROOM_ID_PATTERN,
  ROOM_NAME_PATTERN,
  ROOM_NAME_RULE,
  ROOM_TOPIC_MAX,
  USERNAME_PATTERN,
} from './limits.js'

export const NodeId = z.string().regex(/^[a-f0-9]{16}$/, 'a node id is 16 lowercase hex digits')
export const EntryId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an entry id is 8-64 url-safe characters')
export const Username = z.string().regex(USERNAME_PATTERN)
/**
 * A room's identity, never shown and never changing (its shape: ROOM_ID_PATTERN in limits.ts).
 * Names are what people see, and they can change.
 */
export const RoomId = z.string().regex(ROOM_ID_PATTERN, 'a room id is general, r-<12 characters> or dm-<16 hex digits>')
export const RoomName = z.string().regex(ROOM_NAME_PATTERN, ROOM_NAME_RULE)
export const RoomTopic = z.string().max(ROOM_TOPIC_MAX, `A topic is at most ${ROOM_TOPIC_MAX} characters.`)
export const RoomKind = z.enum(['public', 'private', 'direct'])
/** One emoji (a flag or a family with joiners is one too), no letters or spaces. */
export const Reaction = z
  .string()
  .min(1)
  .max(REACTION_MAX)
  .regex(/^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Emoji_Modifier}|\u200d|\ufe0f)+$/u, 'a reaction is one emoji')
  // Digits, '#' and '*' are emoji components too: a reaction must hold a picture or a flag.
  .refine((s) => /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(s), 'a reaction is one emoji')

/** UTF-8 bytes of a string, counted without encoding it (every entry's text is checked). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

export const PasswordHash = z.object({
  algo: z.literal('scrypt'),
  // Bounded: a replicated hash with huge parameters must not make log-in eat the machine.
  N: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 17)
    .refine((n) => (n & (n - 1)) === 0, 'scrypt N must be a power of two'),
  r: z.number().int().min(1).max(16),
  p: z.number().int().min(1).max(4),
  salt: z.string().min(16).max(128),
  hash: z.string().min(32).max(256),
})

/** 32 bytes in base64url without padding: a raw Ed25519 or X25519 public key, a salt. */
export const Bytes32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes in base64url')

/**
 * An account's public keys (docs/ARCHITECTURE.md, "Account keys"): `sign` is Ed25519 (RFC
 * 8032), which every entry the person makes is signed with; `box` is X25519 (RFC 7748), which
 * room keys are sealed to.
 */
export const AccountKeys = z.object({ sign: Bytes32, box: Bytes32 })

/**
 * The account's two private keys, encrypted with a key derived from the password: scrypt (RFC
 * 7914, parameters as for PasswordHash and bounded the same way, so a replicated entry cannot
 * make log-in eat the machine), then AES-256-GCM with a random 96-bit nonce. Logging in is
 * opening this; nothing else about the password is replicated.
 */
export const WrappedKeys = z.object({
  kdf: PasswordHash.pick({ algo: true, N: true, r: true, p: true }).extend({
    salt: z.string().regex(/^[A-Za-z0-9_-]{22}$/, '16 bytes in base64url'),
  }),
  aead: z.literal('aes-256-gcm'),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16}$/, '12 bytes in base64url'),
  /** The two 32-byte private keys (sign, then box) and the 16-byte tag: 80 bytes. */
  sealed: z.string().regex(/^[A-Za-z0-9_-]{107}$/, '80 bytes in base64url'),
})

/**
 * A new account. Made now with `keys` and `wrapped` and signed with its own new key; an
 * account from before account keys has a replicated `password` verifier instead, which the
 * relay no longer takes for a new account (daemon/accounts/signatures.ts).
 */
export const AccountCreated = z.object({
  type: z.literal('account.created'),
  username: Username,
  password: PasswordHash.optional(),
  keys: AccountKeys.optional(),
  wrapped: WrappedKeys.optional(),
})

/**
 * An account's keys, wrapped anew: an account from before account keys gets its keys at its
 * next log-in (signed with the new key), and a password change wraps the same keys under the
 * new password (signed with the key the account already has).
 */
export const AccountKeysSet = z.object({
  type: z.literal('account.keys'),
  username: Username,
  keys: AccountKeys,
  wrapped: WrappedKeys,
})

/** A person sets their profile picture (a square the daemon cut with sharp), or removes it (null). */
export const AvatarSet = z.object({
  type: z.literal('account.avatar'),
  username: Username,
  avatar: Sha256.nullable(),
})

export const MessageText = z
  .string()
  .refine((s) => s.trim().length > 0, { message: 'empty_message' })
  .refine((s) => utf8Length(s) <= MAX_MESSAGE_BYTES, { message: 'message_too_large' })

/**
 * A room's epoch: which of its room keys (`room.key`) sealed a message. Epoch 1 is a room's
 * first key; a room with none is not encrypted.
 */
export const Epoch = z
  .number()
  .int()
  .positive()
  .max(2 ** 31)

/** A sealed file's JSON besides its name: three seals (~140 bytes each), hashes, sizes, a MIME type of up to 100 characters escaped. */
const SEALED_FILE_JSON_BYTES = 2048

/**
 * Text encrypted for a room's members (docs/ARCHITECTURE.md, "Private rooms end to end"):
 * `ct` is XChaCha20-Poly1305-IETF (libsodium `crypto_aead_xchacha20poly1305_ietf_encrypt`)
 * under the room key of `epoch`, with a random 24-byte `nonce`, of the JSON `{text, files?}`
 * (shared/files.ts, SealedMessageContent: each file's ref and the keys of its sealed blobs);
 * its associated data names the room, the epoch and the author (daemon/sealing/content.ts).
 * Bounded by the largest text escaped as JSON (6 bytes per character at worst), plus for each
 * file its name escaped the same way and SEALED_FILE_JSON_BYTES of the rest, plus the tag.
 */
export const SealedContent = z.object({
  epoch: Epoch,
  nonce: z.string().regex(/^[A-Za-z0-9_-]{32}$/, '24 bytes in base64url'),
  ct: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
    .max(Math.ceil(((6 * MAX_MESSAGE_BYTES + 64 + MAX_FILES_PER_MESSAGE * (6 * FILE_NAME_MAX + SEALED_FILE_JSON_BYTES) + 16) * 4) / 3)),
})

export const MessagePosted = z.object({
  type: z.literal('message.posted'),
  room: RoomId,
  author: Username,
  /** May be empty when the message carries files, and is empty when it is `sealed`. */
  text: z.string().refine((s) => utf8Length(s) <= MAX_MESSAGE_BYTES, { message: 'message_too_large' }),
  /** Files in the clear: only in a room that is not encrypted (the rule book refuses them in one that is). */
  files: z.array(FileRef).max(MAX_FILES_PER_MESSAGE).optional(),
  /** The text and the files' refs and keys, encrypted: the room is end-to-end encrypted (daemon/rooms/rules.ts says when). */
  sealed: SealedContent.optional(),
  /**
   * With `sealed` only: the sealed files' blobs (ciphertext SHA-256 and size), what the relay
   * and every machine need to move and keep them without reading them.
   */
  blobs: z.array(SealedBlob).max(MAX_BLOBS_PER_MESSAGE).optional(),
  /**
   * A reply: the message it answers, in the same room (the rule book checks). The page shows a
   * quote of it. A link between ids, readable like a reaction even in an encrypted room; the
   * text stays sealed (docs/ARCHITECTURE.md, "Trust").
   */
  replyTo: EntryId.optional(),
  /** A reply in the thread of this message (a top-level message of the same room): kept out of the room's timeline. */
  thread: EntryId.optional(),
  /** With `thread`: shown in the room's timeline too ("also send to room"). */
  alsoInRoom: z.literal(true).optional(),
})
// "Text or files" is checked by the rule book (daemon/rooms/rules.ts), not here: an object-wide
// refinement costs every entry of every catch-up frame a sixth of its parsing time.

/**
 * The author replaces the text of their own message (`target` is its entry id). In an
 * encrypted room the new text is `sealed` and `text` is empty; the rule book checks that a
 * plain edit's text is not empty (so the schema takes an empty one).
 */
export const MessageEdited = z.object({
  type: z.literal('message.edited'),
  room: RoomId,
  target: EntryId,
  author: Username,
  text: z.string().refine((s) => utf8Length(s) <= MAX_MESSAGE_BYTES, { message: 'message_too_large' }),
  sealed: SealedContent.optional(),
})

/** The author takes their own message back; others see that it was deleted, not what it said. */
export const MessageDeleted = z.object({
  type: z.literal('message.deleted'),
  room: RoomId,
  target: EntryId,
  author: Username,
})

/** Someone adds (`on`) or takes back an emoji reaction to a message. */
export const ReactionSet = z.object({
  type: z.literal('reaction.set'),
  room: RoomId,
  target: EntryId,
  author: Username,
  emoji: Reaction,
  on: z.boolean(),
})

/**
 * A member pins (`on`) or unpins a message of the room, for everyone in it. Any member may:
 * pins are shared notes, like the topic, which any member may change too. A deleted message
 * is unpinned by its deletion (no entry needed).
 */
export const PinSet = z.object({
  type: z.literal('pin.set'),
  room: RoomId,
  target: EntryId,
  by: Username,
  on: z.boolean(),
})

/**
 * A new room. Public and private rooms have a name, unique regardless of case; a direct
 * conversation has none (the page names it after its members) and its members are fixed.
 * `members` are in it from the start: the creator, and whoever they invited.
 */
export const RoomCreated = z.object({
  type: z.literal('room.created'),
  room: RoomId,
  kind: RoomKind,
  name: RoomName.optional(),
  topic: RoomTopic,
  creator: Username,
  members: z.array(Username).min(1).max(Math.max(DIRECT_MAX_MEMBERS, 50)),
})

/** A member renames a room or sets its topic. */
export const RoomUpdated = z.object({
  type: z.literal('room.updated'),
  room: RoomId,
  by: Username,
  name: RoomName.optional(),
  topic: RoomTopic.optional(),
})

/** `username` is in the room from now on: joined a public room (`by` is them) or invited. */
export const RoomJoined = z.object({
  type: z.literal('room.joined'),
  room: RoomId,
  username: Username,
  by: Username,
})

export const RoomLeft = z.object({
  type: z.literal('room.left'),
  room: RoomId,
  username: Username,
})

/**
 * A room's key for a new epoch (docs/ARCHITECTURE.md, "Private rooms end to end"): 32 random
 * bytes, sealed to each member's account `box` key with libsodium's sealed box
 * (`crypto_box_seal`: an ephemeral X25519 key, then XSalsa20-Poly1305), 80 bytes each. `by`
 * is a member and signs it; `sealed` names exactly the room's members and `epoch` is the
 * room's current one plus one (daemon/rooms/keys.ts). `commitment` is a BLAKE2b hash of the
 * key bound to the room and epoch, so every member can tell they were given the same key.
 */
export const RoomKeyMade = z.object({
  type: z.literal('room.key'),
  room: RoomId,
  by: Username,
  epoch: Epoch,
  sealed: z
    .record(Username, z.string().regex(/^[A-Za-z0-9_-]{107}$/, 'a sealed room key is 80 bytes in base64url'))
    .refine((r) => Object.keys(r).length <= 256, 'at most 256 sealed keys'),
  commitment: Bytes32,
})

/**
 * How far a person has read a room, for unread counts and the "new messages" divider on every
 * machine they log in on. Positions only move forward: the view keeps the highest one.
 */
export const ReadMarked = z.object({
  type: z.literal('read.marked'),
  room: RoomId,
  username: Username,
  seq: z.number().int().nonnegative(),
})

/**
 * What a room's new messages tell a person on their desktop (OS notifications and the tray's
 * count): `all` (the default: no entry says otherwise), `mentions` (only messages naming
 * them), `mute` (nothing). The page shows every message either way.
 */
export const NotifyLevel = z.enum(['all', 'mentions', 'mute'])

/**
 * A person chooses what a room they are in notifies them of, on every machine they log in on.
 * The newest in the log wins. Readable metadata, not secret (docs/ARCHITECTURE.md, "Trust").
 */
export const NotifySet = z.object({
  type: z.literal('notify.set'),
  room: RoomId,
  username: Username,
  level: NotifyLevel,
})

/**
 * A person sets their own display name and status (shared/profile.ts says what is refused and
 * why); empty is none. The newest in the log wins. Only the account itself: the signer is
 * `username`. Readable by everyone, like the username.
 */
export const ProfileSet = z.object({
  type: z.literal('profile.set'),
  username: Username,
  displayName: z.string().refine((s) => displayNameProblem(s) === undefined, { message: 'invalid_display_name' }),
  status: z.string().refine((s) => statusProblem(s) === undefined, { message: 'invalid_status' }),
  /** One emoji before the status, or none. */
  statusEmoji: Reaction.optional(),
})

export const EntryBody = z.discriminatedUnion('type', [
  AccountCreated,
  AccountKeysSet,
  AvatarSet,
  MessagePosted,
  MessageEdited,
  MessageDeleted,
  ReactionSet,
  PinSet,
  RoomCreated,
  RoomUpdated,
  RoomJoined,
  RoomLeft,
  RoomKeyMade,
  ReadMarked,
  NotifySet,
  ProfileSet,
])

export const Submission = z.object({
  id: EntryId,
  /**
   * Milliseconds since the epoch on the submitting machine. Never beyond what a Date can hold;
   * how far ahead of its own clock it takes one is the relay's rule (daemon/relay/validate.ts).
   */
  ts: z.number().int().nonnegative().max(MAX_DATE_MS, 'a timestamp is at most 8.64e15 (the last time a Date can hold)'),
  /** The daemon the entry was first submitted to. */
  origin: NodeId,
  body: EntryBody,
  /**
   * Ed25519 signature by the account that makes the entry (shared/signing.ts says over what
   * bytes and who that is). Absent only on entries of an account from before account keys.
   */
  sig: z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/, 'a signature is 64 bytes in base64url')
    .optional(),
})

export const Entry = Submission.extend({
  seq: z.number().int().positive(),
  term: z.number().int().positive(),
})

export type NodeId = z.infer<typeof NodeId>
export type PasswordHash = z.infer<typeof PasswordHash>
export type EntryBody = z.infer<typeof EntryBody>
export type Submission = z.infer<typeof Submission>
export type Entry = z.infer<typeof Entry>
export type MessagePosted = z.infer<typeof MessagePosted>
export type AccountCreated = z.infer<typeof AccountCreated>
export type AccountKeysSet = z.infer<typeof AccountKeysSet>
export type AccountKeys = z.infer<typeof AccountKeys>
export type WrappedKeys = z.infer<typeof WrappedKeys>
export type ReadMarked = z.infer<typeof ReadMarked>
export type NotifyLevel = z.infer<typeof NotifyLevel>
export type NotifySet = z.infer<typeof NotifySet>
export type PinSet = z.infer<typeof PinSet>
export type ProfileSet = z.infer<typeof ProfileSet>
export type RoomCreated = z.infer<typeof RoomCreated>
export type RoomKind = z.infer<typeof RoomKind>
export type RoomKeyMade = z.infer<typeof RoomKeyMade>
export type SealedContent = z.infer<typeof SealedContent>
