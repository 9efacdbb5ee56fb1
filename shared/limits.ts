/**
 * Protocol constants. A daemon refuses links from a different PROTOCOL_VERSION. 4: a client
 * offers a submission's files (`offer`) before pushing them, and the relay takes no others; a
 * version 3 relay closes a link that sends one, and a version 4 relay refuses a version 3
 * client's pushes, so the two must not link. 5: entries are signed (`sig`) and accounts carry
 * keys (`account.keys`, an `account.created` without `password`); a version 4 daemon would drop
 * the signatures it relays and cannot read the new entries. 6: private rooms are end-to-end
 * encrypted (`room.key` entries, `sealed` message content); a version 5 daemon cannot read a
 * `room.key` and would strip `sealed` from the messages it relays or replays, breaking their
 * signatures.
 * Also in 6: the relay signs the order
 * (`welcome.at`, `welcome.tip`, `entries.order`: shared/chain.ts); a version 5 relay sends
 * frames without them, which a version 6 follower refuses, so the two must not link.
 * 7: `notify.set` entries (a person's notification level in a room); a version 6 daemon's
 * frame schema refuses an `entries` frame holding one, closing the link each time it catches
 * up, and a version 6 relay refuses a submission of one as frame_invalid, so the two must not
 * link.
 * 8: replies and threads (`replyTo`, `thread`, `alsoInRoom` on `message.posted`) and `pin.set`
 * entries; a version 7 daemon's schema would strip the new fields from the messages it relays
 * or replays (breaking their signatures) and refuses a frame holding a `pin.set`, so the two
 * must not link.
 * 9: `profile.set` entries (a person's display name and status, shared/profile.ts); a version
 * 8 daemon's frame schema refuses an `entries` frame holding one and its relay a submission of
 * one, so the two must not link.
 */
export const PROTOCOL_VERSION = 9

/** mDNS service type: `_sochat._tcp`. */
export const SERVICE_TYPE = 'sochat'

export const DEFAULT_NETWORK = 'default'
export const DEFAULT_UI_PORT = 47800
export const DEFAULT_PEER_PORT = 47801

/** A message's text, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 16 * 1024
/** One frame on the peer link; larger frames close the link (ws maxPayload). */
export const MAX_FRAME_BYTES = 1024 * 1024
/** People with a page open on one machine, as its presence and roster line may list them. */
export const MAX_USERS_PER_MACHINE = 1000
/** Peers per `roster` frame: a roster of a large network goes out in parts under MAX_FRAME_BYTES. */
export const ROSTER_CHUNK = 1000
/**
 * Machines without anyone on them that a client's roster still names, as the likeliest next
 * relays (daemon/relay/roster-scope.ts); the others are only counted.
 */
export const ROSTER_CANDIDATES = 16
/** The most machines a roster may say are linked (a bound for the count, far above any LAN). */
export const MAX_MACHINES = 1_000_000
/**
 * A link's heartbeat period, as the relay sets it for the number of machines linked to it
 * (daemon/link/heartbeat.ts): every link starts at the shortest; a relay may ask for up to the
 * longest. Bounds for the schema: a relay cannot make a link's silence go unnoticed for longer.
 */
export const HEARTBEAT_PERIOD_MIN_MS = 2000
export const HEARTBEAT_PERIOD_MAX_MS = 10_000
/** Entries per `entries` frame while a replica catches up. */
export const CATCH_UP_BATCH = 500

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/
export const USERNAME_RULE = 'Usernames are 3 to 32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit.'
/** A display name, in code points after NFC (shared/profile.ts); empty is none. */
export const DISPLAY_NAME_MAX = 64
/** A status text ("in a meeting"), in code points after NFC; empty is none. */
export const STATUS_MAX = 100
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

/** The room every account is in, from its first entry on; nobody can leave it. */
export const GENERAL_ROOM = 'general'
/**
 * A room's id: 'general', 'r-' and 12 random characters for a room someone created, 'dm-' and
 * 16 hex digits (derived from its members) for a direct conversation. The one copy: the
 * schemas (shared/entries.ts) and the page (which bundles no zod) both test against it.
 */
export const ROOM_ID_PATTERN = /^(general|r-[a-z0-9]{12}|dm-[a-f0-9]{16})$/

/** Room names, as people type them after '#': like Slack's channel names. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/
export const ROOM_NAME_RULE =
  'Room names are 1 to 40 characters: lowercase letters, digits, dash or underscore, starting with a letter or digit.'
export const ROOM_TOPIC_MAX = 250
/** People in a direct conversation, the one who starts it included. */
export const DIRECT_MAX_MEMBERS = 8
/** Pinned messages per room: the header's dialog lists them all on one page, like Slack's 100. */
export const MAX_PINS_PER_ROOM = 100
/**
 * `@room` and `@here` notify everyone (or everyone online) only in rooms of at most this many
 * members: in a bigger room one person would ring every desk on the floor. 50 is a team or a
 * department; #general of a whole company is over it. Over the limit the message is still posted.
 */
export const BROADCAST_MENTION_MAX_MEMBERS = 50
/** An emoji reaction, in UTF-16 code units (a flag or a family is several). */
export const REACTION_MAX = 16

/**
 * Images: the most pixels (width × height, per frame) the daemon will decode. A 50000 × 50000
 * PNG of a few kilobytes would otherwise ask for 7.5 GB of memory.
 */
export const IMAGE_MAX_PIXELS = 100_000_000
/** The inline thumbnail and the size shown when a picture is opened, longest side in pixels. */
export const THUMBNAIL_PX = 320
export const DISPLAY_PX = 1600

/**
 * The latest time a JavaScript Date can hold (±8.64e15 ms around the epoch, ECMA-262 §21.4.1).
 * A timestamp past it is NaN to every date function: the page could not show the message.
 */
export const MAX_DATE_MS = 8.64e15
/**
 * How far ahead of the relay's clock a submission's timestamp may be. A day covers time zones
 * set wrong and clocks never synchronised; a message from further in the future would sort
 * after everything written for years. The past has no bound: a message may wait days in a
 * laptop's outbox and is legitimately old when it arrives.
 */
export const MAX_CLOCK_AHEAD_MS = 24 * 60 * 60 * 1000

/**
 * The highest election term any daemon takes or believes (2^32 − 1). A term grows by one per
 * election: one a second would take 136 years to get here, so a term past it is a claim no
 * member could make honestly. Well inside Number.MAX_SAFE_INTEGER, so `term + 1` stays exact.
 */
export const MAX_TERM = 2 ** 32 - 1
/**
 * The highest sequence number (a log head, a checkpoint, an ack): 10^12 − 1, because the store
 * pads seq keys to 12 digits (daemon/store/keys.ts) and LevelDB's order is numeric only below
 * that. A thousand entries a second would take 31 years to reach it.
 */
export const MAX_SEQ = 10 ** 12 - 1
