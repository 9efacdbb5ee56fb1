/** Protocol constants. A daemon refuses links from a different PROTOCOL_VERSION. */
export const PROTOCOL_VERSION = 2

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
/** Entries per `entries` frame while a replica catches up. */
export const CATCH_UP_BATCH = 500

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/
export const USERNAME_RULE =
  'Usernames are 3 to 32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit.'
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

/** The room every account is in. Later issues add more rooms. */
export const GENERAL_ROOM = 'general'
