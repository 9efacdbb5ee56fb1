/**
 * The rules of end-to-end encrypted rooms (docs/ARCHITECTURE.md, "Private rooms end to end").
 *
 * A private room or direct conversation is encrypted from its first `room.key` on; public
 * rooms never are. Each `room.key` begins the next epoch with a new key sealed to exactly the
 * members of that moment, made by one of them. Every change of who is in the room needs a
 * new epoch before anyone writes again: a message is refused when its epoch is not the room's
 * current one, or when the current one began before the latest membership change — so no
 * text is ever encrypted to a set of readers that includes someone who left, and someone who
 * joined reads from their joining on. Once encrypted, a room takes no plain text, and nobody
 * without account keys (an account from before them that has not logged in since) can join
 * it, since no key can be sealed to them.
 */
import type { EntryBody, SealedContent } from '../../shared/index.js'
import type { Room, ViewQueries } from '../store/index.js'
import type { Verdict } from './verdict.js'

type Body<T extends EntryBody['type']> = Extract<EntryBody, { type: T }>

const OK: Verdict = { ok: true }
const invalid = (message: string): Verdict => ({ ok: false, code: 'room_key_invalid', message })

export function isEncrypted(room: Room): boolean {
  return (room.epoch ?? 0) > 0
}

/** Whether the room's current key was made after its latest membership change. */
export function keyIsCurrent(room: Room): boolean {
  return isEncrypted(room) && (room.epochSeq ?? 0) > (room.membershipSeq ?? room.createdSeq)
}

/** `room.key`: by a member, for the next epoch, sealed to exactly the members, who all have keys. */
export async function roomKeyMade(q: ViewQueries, room: Room, b: Body<'room.key'>): Promise<Verdict> {
  if (room.kind === 'public') return invalid('Public rooms are not encrypted: anyone may read them.')
  const next = (room.epoch ?? 0) + 1
  if (b.epoch !== next) {
    return invalid(`This room's next key is for epoch ${next}, not ${b.epoch}: someone made one a moment ago. Send again.`)
  }
  const names = Object.keys(b.sealed).map((n) => n.toLowerCase())
  if (new Set(names).size !== names.length) return invalid('A member is given two keys.')
  for (const name of names) {
    if (!(await q.isMember(room.id, name))) {
      return invalid(`${name.slice(0, 40)} is not in this room and must not get its key. Reload the room and send again.`)
    }
    if (!(await q.account(name))?.keys) {
      return invalid(
        `${name.slice(0, 40)} has no account keys yet (they get them at their next log-in); the room stays unencrypted until then.`,
      )
    }
  }
  if (names.length !== room.memberCount) {
    return invalid(
      `The key is sealed to ${names.length} people but the room has ${room.memberCount} members. Reload the room and send again.`,
    )
  }
  return OK
}

/**
 * A message's or edit's content against the room's encryption: sealed under the current key
 * in an encrypted room, plain in one that is not.
 */
export function contentFits(room: Room, text: string, sealed: SealedContent | undefined): Verdict {
  if (!isEncrypted(room)) {
    return sealed ? invalid('This room is not encrypted yet: it has no key to seal a message under. Send it again.') : OK
  }
  if (!sealed || text !== '') {
    return {
      ok: false,
      code: 'room_encrypted',
      message:
        "This room is end-to-end encrypted: its messages are sealed by a member's daemon. Update SO-CHAT on the machine that sent this, and send again.",
    }
  }
  if (sealed.epoch !== room.epoch || !keyIsCurrent(room)) {
    return {
      ok: false,
      code: 'room_key_stale',
      message:
        'Who is in this room changed since this message was sealed, so it needs a new key. Send it again; your daemon makes the key.',
    }
  }
  return OK
}

/**
 * A message's files against the room's encryption: in an encrypted room they travel inside the
 * sealed content and the entry names only their sealed blobs (`blobs`); plain `files` there
 * would show every machine their names and bytes. Sealed blobs come with sealed content only.
 */
export function filesFit(room: Room, b: Pick<Body<'message.posted'>, 'files' | 'blobs' | 'sealed'>): Verdict {
  if (isEncrypted(room) && b.files?.length) {
    return {
      ok: false,
      code: 'room_encrypted',
      message:
        "This room is end-to-end encrypted: its files are sealed by a member's daemon. Update SO-CHAT on the machine that sent this, and send again.",
    }
  }
  if (b.blobs?.length && !b.sealed) return invalid('Sealed files come with a sealed message only.')
  return OK
}

/** Joining an encrypted room takes account keys, or nobody could seal the next key to you. */
export async function mayJoinEncrypted(q: ViewQueries, room: Room, username: string): Promise<Verdict> {
  if (!isEncrypted(room) || (await q.account(username))?.keys) return OK
  return invalid(
    `${username.slice(0, 40)} has not logged in since SO-CHAT gave accounts keys, and this room is end-to-end encrypted. They can join once they have logged in once.`,
  )
}
