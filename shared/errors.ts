/**
 * Stable error codes. The REST API answers `{error: {code, message}}` with one of these and
 * the peer link uses them in `reject` and `error` frames. Codes never change meaning; add new
 * ones instead.
 */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_username: 400,
  /** "room" and "here", the words of `@room` and `@here` (shared/mentions.ts). */
  username_reserved: 400,
  invalid_password: 400,
  /** Long enough but too easy to guess (daemon/accounts/strength.ts). */
  weak_password: 400,
  empty_message: 400,
  message_too_large: 413,
  unauthenticated: 401,
  wrong_credentials: 401,
  csrf_failed: 403,
  forbidden_host: 403,
  forbidden_origin: 403,
  /** Only over the daemon's control socket (the unix socket in its data folder): `sochat stop`. */
  control_socket_only: 403,
  not_found: 404,
  unknown_room: 404,
  unknown_message: 404,
  invalid_room_name: 400,
  invalid_topic: 400,
  invalid_reaction: 400,
  /** `PUT /api/v1/rooms/ROOM/notify` with a level other than all, mentions or mute. */
  invalid_notify_level: 400,
  /** A display name over DISPLAY_NAME_MAX or a status over STATUS_MAX characters (shared/profile.ts). */
  profile_too_long: 400,
  /** Control, bidi-reordering or invisible characters in a display name or status (shared/profile.ts). */
  profile_hidden_characters: 400,
  /** A display name that is another account's username, with or without "@" (shared/profile.ts). */
  display_name_is_username: 409,
  room_name_taken: 409,
  not_a_member: 403,
  already_member: 409,
  cannot_leave: 409,
  not_your_message: 403,
  message_deleted: 409,
  /** A reply or thread naming a message that is not in the same room (or does not exist). */
  unknown_reply_target: 404,
  /** A thread reply whose root is itself a thread reply: threads are one level deep. */
  invalid_thread: 400,
  /** A room already has MAX_PINS_PER_ROOM pinned messages. */
  too_many_pins: 409,
  unsupported_image: 415,
  image_too_large: 413,
  corrupt_image: 422,
  // A picture edit (crop, rotation, brightness, contrast) that is not one: shared/picture-edit.ts.
  bad_picture_edit: 422,
  // An edit asked of a file that cannot take one (not a picture, or an animated one).
  picture_not_editable: 422,
  file_too_large: 413,
  disk_full: 507,
  unknown_upload: 404,
  upload_offset_mismatch: 409,
  upload_incomplete: 409,
  file_unavailable: 503,
  file_mismatch: 422,
  unknown_author: 409,
  /** An entry of an account with keys came unsigned (or a new account without keys). */
  signature_required: 403,
  /** An entry's signature is not its author's: changed on the way, or made in their name. */
  bad_signature: 403,
  username_taken: 409,
  rate_limited: 429,
  // The relay is sending its log to this machine, or to as many machines as it will at once.
  busy: 503,
  // A file pushed to the relay by a machine that has no link to it.
  not_linked: 403,
  // A file pushed to the relay that its sender did not offer first, for a message of its own
  // (an `offer` frame on its link), or bigger than it offered.
  not_offered: 403,
  // A submission from a link naming a file its machine did not offer for that submission, and
  // that the relay does not hold on nobody's behalf (daemon/relay/file-admission.ts). Transient
  // for the outbox: it offers the files for the submission again and resends it.
  file_not_offered: 409,
  no_relay: 503,
  relay_timeout: 504,
  bad_timestamp: 400,
  protocol_mismatch: 400,
  network_mismatch: 400,
  frame_invalid: 400,
  frame_too_large: 413,
  not_relay: 409,
  // This machine's key file cannot be used; the daemon refuses to start (never an HTTP answer).
  machine_key_invalid: 500,
  machine_key_exposed: 500,
  // Admission (daemon/admission): a machine without the network key on the peer port, an
  // older SO-CHAT that cannot speak TLS, a network key file that cannot be used.
  not_admitted: 403,
  update_required: 426,
  network_key_invalid: 500,
  network_key_missing: 404,
  // The Network panel's actions (POST /api/v1/machines/ID/ACTION).
  machine_unknown: 404,
  machine_state: 409,
  not_network_member: 409,
  // A claim no honest daemon makes (a term past the bounds, a welcome `from` none of our
  // checkpoints): refused rather than followed.
  claim_absurd: 400,
  // End-to-end encrypted rooms (daemon/rooms/keys.ts): a room key that is not for exactly the
  // room's members at its next epoch; a message sealed under an epoch that is not the room's
  // current one, or under one older than its latest membership change; plain text in a room
  // that is encrypted.
  room_key_invalid: 409,
  room_key_stale: 409,
  room_encrypted: 409,
  // A file of a sealed message that this session cannot open (no key of its epoch was sealed
  // to this person, or this session holds no keys: log in again), and one whose sealed bytes
  // do not open under its key (altered or cut short: daemon/sealing/file-stream.ts).
  file_unreadable: 403,
  file_tampered: 422,
  // The relay's signed order (shared/chain.ts) does not match the log it sends or the one we
  // hold: a statement not signed by the link's key, or a chain that differs from ours.
  order_invalid: 409,
  // The relay's key signed two histories for one term that cannot both be true (a fork):
  // both statements are kept as proof, and that relay is not followed.
  order_forked: 409,
  // Search (shared/search-query.ts): a query with nothing in it, one over SEARCH_QUERY_MAX
  // characters, a `name:value` filter we do not know, a date that is not one, a filter with
  // a value it cannot take, a paging cursor this daemon did not hand out.
  empty_query: 400,
  query_too_long: 400,
  unknown_filter: 400,
  bad_date: 400,
  bad_filter: 400,
  bad_cursor: 400,
  internal: 500,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export interface ErrorBody {
  error: { code: ErrorCode; message: string }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}
