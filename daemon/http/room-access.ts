/**
 * What the room routes share: the room named in the path, the rule book asked before anything
 * is submitted (so a refusal comes at once and in words, and the relay asks again), a write
 * that waits for the relay, and a room as the asking person sees it.
 */
import { RoomParam, type Entry, type EntryBody, type RoomSummary } from '../../shared/index.js'
import { errorFor, InputError } from '../errors/index.js'
import { check, isEncrypted, mayRead, type Verdict } from '../rooms/index.js'
import { sessionSigner } from '../accounts/index.js'
import type { SubmitOptions, SubmitResult } from '../outbox/index.js'
import type { Room } from '../store/index.js'
import type { Authenticated } from './auth.js'
import type { HttpContext } from './context.js'
import { withOpener } from './message-opener.js'

/** Room ids have a fixed shape; anything else names no room (not a malformed request). */
export function roomId(params: unknown): string {
  const parsed = RoomParam.safeParse(params)
  if (parsed.success) return parsed.data.room
  const given = String((params as { room?: unknown }).room ?? '').slice(0, 64)
  throw new InputError('unknown_room', `There is no room "${given}". Rooms are found by id; see GET /api/v1/rooms.`)
}

/** Throws the refusal a rule gave, with its code; passes a room through. */
export function allowed<T>(verdict: T | Verdict): T {
  if (verdict && typeof verdict === 'object' && 'ok' in verdict) {
    if (!verdict.ok) throw errorFor(verdict.code, verdict.message)
    return undefined as T
  }
  return verdict as T
}

export async function readableRoom(ctx: HttpContext, id: string, username: string): Promise<Room> {
  return allowed(await mayRead(ctx.store.views.q, id, username))
}

/** Everything a person changes goes out signed as them (accounts/signer.ts), then through the outbox. */
export async function submitAs(ctx: HttpContext, who: Authenticated, body: EntryBody, opts: SubmitOptions): Promise<SubmitResult> {
  const account = await ctx.store.views.account(who.session.username)
  const signer = sessionSigner(who.session, who.token, account?.keys)
  return ctx.outbox.submit(body, { ...opts, signer })
}

/**
 * Checked here, then written by the relay, which checks again against the log's newest state.
 * Answers once the entry is in this machine's replica; with no relay it waits for one, then
 * fails (these changes are not queued: whether a name is free can only be known by the relay).
 */
export async function submitNow(ctx: HttpContext, who: Authenticated, body: EntryBody): Promise<Entry> {
  allowed(await check(body, ctx.store.views.q, ctx.store.log.head))
  const result = await submitAs(ctx, who, body, { durable: false, timeoutMs: ctx.submitTimeoutMs })
  if (result.state !== 'sent') throw new Error('a non-durable submission came back pending')
  return result.entry
}

export async function summary(ctx: HttpContext, room: Room, who: Authenticated): Promise<RoomSummary> {
  const views = ctx.store.views
  const username = who.session.username
  const joined = await views.q.isMember(room.id, username)
  const read = joined
    ? await withOpener(views.q, who, ctx.log, (o) => views.readPosition(username, room.id, (m) => o.open(m)))
    : { unread: 0, mentions: 0 }
  return {
    id: room.id,
    kind: room.kind,
    name: room.name,
    topic: room.topic,
    memberCount: room.memberCount,
    members: room.kind === 'direct' ? await views.members(room.id) : [],
    joined,
    unread: read.unread,
    mentions: read.mentions,
    lastSeq: await views.lastSeq(room.id),
    notify: joined ? await views.q.notifyLevel(username, room.id) : 'all',
    pins: room.pins ?? 0,
    ...(await encryption(ctx, room)),
  }
}

/** Whether a room is encrypted, or which members it waits for to be (daemon/http/room-sealer.ts). */
async function encryption(ctx: HttpContext, room: Room): Promise<Pick<RoomSummary, 'encrypted' | 'waitingForKeys'>> {
  if (isEncrypted(room)) return { encrypted: true }
  if (room.kind === 'public') return {}
  const waiting: string[] = []
  for (const name of await ctx.store.views.members(room.id)) if (!(await ctx.store.views.account(name))?.keys) waiting.push(name)
  return waiting.length > 0 ? { encrypted: false, waitingForKeys: waiting } : { encrypted: false }
}
