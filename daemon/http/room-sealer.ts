/**
 * Sealing what a person writes in an encrypted room, on the daemon that holds their session
 * (docs/ARCHITECTURE.md, "Private rooms end to end"). Rotation is lazy and the sender's: before
 * sealing, if the room's latest key began before its latest membership change (or the room
 * has none yet and every member has account keys), the sender's daemon makes the next epoch's
 * key, seals it to each member's account box key, and waits until the relay has written it;
 * then it seals the text under it.
 *
 * The key is written with the relay before any text is sealed under it (not queued in the
 * outbox): two keys for the same epoch, made while no relay could order them, would leave
 * messages sealed under the one the relay refused. So a post that needs a new key needs a
 * relay, like joining a room does; one that does not is queued as before.
 */
import type { SealedContent, SealedFileRef } from '../../shared/index.js'
import { ConflictError } from '../errors/index.js'
import { isEncrypted, keyIsCurrent } from '../rooms/index.js'
import { encryptContent, newRoomKey, roomKeyCommitment, sealRoomKey } from '../sealing/index.js'
import type { Room } from '../store/index.js'
import type { Authenticated } from './auth.js'
import type { HttpContext } from './context.js'
import { MessageOpener } from './message-opener.js'
import { submitNow } from './room-access.js'

/** Tries at a new key when another member's key for the same epoch got to the relay first. */
const KEY_ATTEMPTS = 3

/** Rotations in flight on this daemon, by room: two posts at once make one key, not two. */
const rotating = new WeakMap<HttpContext, Map<string, Promise<void>>>()

/**
 * The text sealed for the room's members, or null when the room is not encrypted and cannot
 * be yet (public, or a member without account keys: it stays plain until they have them).
 * `files`, when given, is asked for the message's sealed files once the room is known to be
 * sealed (daemon/files/sealed.ts), and they join the text in the sealed content; a room that
 * stays plain never has them sealed.
 */
export async function sealText(
  ctx: HttpContext,
  who: Authenticated,
  roomId: string,
  text: string,
  files?: () => Promise<SealedFileRef[]>,
): Promise<SealedContent | null> {
  for (let attempt = 1; attempt <= KEY_ATTEMPTS; attempt++) {
    const room = await ctx.store.views.q.room(roomId)
    if (!room || room.kind === 'public') return null
    if (!keyIsCurrent(room)) {
      if (!(await everyoneHasKeys(ctx, room))) {
        if (isEncrypted(room))
          throw new ConflictError('room_key_invalid', 'A member of this encrypted room has no account keys; nothing can be sealed to them.')
        return null
      }
      await rotate(ctx, who, room)
      continue
    }
    const opener = MessageOpener.forSession(ctx.store.views.q, who, ctx.log)
    try {
      const epoch = room.epoch!
      const key = await opener.roomKey(room.id, epoch)
      if (typeof key !== 'string') {
        const sealedFiles = files ? await files() : []
        const content = sealedFiles.length > 0 ? { text, files: sealedFiles } : { text }
        return await encryptContent(key, { room: room.id, epoch, author: who.session.username }, content)
      }
      if (key === 'no_session_key')
        throw new ConflictError('room_key_invalid', 'Log in again: this session holds no keys to seal messages with.')
      // Our copy of the current key does not open: a new epoch gives everyone a good one.
      ctx.log.warn({ room: room.id, epoch, reason: key }, "this room's key does not open for its sender; making a new one")
      await rotate(ctx, who, room)
    } finally {
      opener.close()
    }
  }
  throw new ConflictError('room_key_stale', 'Who is in this room keeps changing, so no key could be made for it just now. Send again.')
}

/** Makes the room's first key right after it is made (a new private room or conversation); never fails the creation. */
export async function firstKey(ctx: HttpContext, who: Authenticated, roomId: string): Promise<void> {
  const room = await ctx.store.views.q.room(roomId)
  if (!room || room.kind === 'public' || isEncrypted(room) || !(await everyoneHasKeys(ctx, room))) return
  await rotate(ctx, who, room).catch((err: unknown) =>
    ctx.log.warn({ err, room: roomId }, "making a new room's first key failed; the first message sent makes it"),
  )
}

async function everyoneHasKeys(ctx: HttpContext, room: Room): Promise<boolean> {
  for (const name of await ctx.store.views.members(room.id)) if (!(await ctx.store.views.account(name))?.keys) return false
  return true
}

function rotate(ctx: HttpContext, who: Authenticated, room: Room): Promise<void> {
  const inFlight = rotating.get(ctx) ?? new Map<string, Promise<void>>()
  rotating.set(ctx, inFlight)
  const running = inFlight.get(room.id)
  if (running) return running
  const made = makeKey(ctx, who, room).finally(() => inFlight.delete(room.id))
  inFlight.set(room.id, made)
  return made
}

/**
 * The room's next key, sealed to exactly its members now, written through the relay. Lost to
 * another member's key for the same epoch (room_key_invalid), it is not an error: theirs does.
 */
async function makeKey(ctx: HttpContext, who: Authenticated, room: Room): Promise<void> {
  const epoch = (room.epoch ?? 0) + 1
  const key = await newRoomKey()
  try {
    const sealed: Record<string, string> = {}
    for (const name of await ctx.store.views.members(room.id)) {
      const keys = (await ctx.store.views.account(name))?.keys
      if (keys) sealed[name] = await sealRoomKey(key, keys.box)
    }
    const commitment = await roomKeyCommitment(key, { room: room.id, epoch })
    await submitNow(ctx, who, { type: 'room.key', room: room.id, by: who.session.username, epoch, sealed, commitment })
    ctx.log.info({ room: room.id, epoch, members: Object.keys(sealed).length }, 'made a new room key')
  } catch (err) {
    if (!(err instanceof ConflictError && err.code === 'room_key_invalid')) throw err
    ctx.log.info({ room: room.id, epoch, reason: err.message }, 'the relay took another key, or knows other members; waiting for that here')
    await waitForChange(ctx, room)
  } finally {
    key.fill(0)
  }
}

/**
 * The relay refused our key because it knows more than this replica does (another member's key
 * for the epoch, or a join or leave we have not seen yet): wait until this replica sees the room
 * change, then the caller looks again.
 */
async function waitForChange(ctx: HttpContext, before: Room): Promise<void> {
  for (const until = Date.now() + ctx.submitTimeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const now = await ctx.store.views.q.room(before.id)
    if (!now || now.epoch !== before.epoch || now.membershipSeq !== before.membershipSeq) return
  }
}
