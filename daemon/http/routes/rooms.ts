/**
 * Rooms and direct conversations: list, directory, create, rename, topic, join, leave,
 * invite, members, and what each notifies the person of. Every change goes through the relay (daemon/http/room-access.ts).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import {
  CreateRoom,
  Invite,
  OpenDirect,
  ROOM_NAME_RULE,
  ROOM_TOPIC_MAX,
  RoomName,
  SetNotify,
  UpdateRoom,
  isRoomName,
  normalizeRoomName,
  type DirectoryResponse,
  type MembersResponse,
  type RoomResponse,
  type RoomsResponse,
} from '../../../shared/index.js'
import { ConflictError, InputError, UnavailableError } from '../../errors/index.js'
import { directRoomId } from '../../rooms/index.js'
import type { Authenticated } from '../auth.js'
import type { HttpContext } from '../context.js'
import { fingerprintsOf } from '../fingerprints.js'
import { readableRoom, roomId, submitNow, summary } from '../room-access.js'
import { firstKey } from '../room-sealer.js'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

function newRoomId(): string {
  return `r-${[...randomBytes(12)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`
}

function roomName(typed: string): string {
  const name = normalizeRoomName(typed)
  if (!isRoomName(name))
    throw new InputError(
      'invalid_room_name',
      name.length === 0 ? 'A room needs a name.' : `"#${name.slice(0, 60)}" cannot be a room name. ${ROOM_NAME_RULE}`,
    )
  return RoomName.parse(name)
}

function topic(typed: string): string {
  const t = typed.trim()
  if (t.length > ROOM_TOPIC_MAX)
    throw new InputError('invalid_topic', `The topic is ${t.length} characters; the most is ${ROOM_TOPIC_MAX}.`)
  return t
}

async function waitForRoom(ctx: HttpContext, id: string): Promise<void> {
  for (const until = Date.now() + ctx.submitTimeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (await ctx.store.views.q.room(id)) return
  }
  throw new UnavailableError('relay_timeout', 'The conversation exists on the relay but has not reached this machine yet. Try again.')
}

export function roomRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const views = ctx.store.views
  const answer = async (id: string, who: Authenticated): Promise<RoomResponse> => ({
    room: await summary(ctx, await readableRoom(ctx, id, who.session.username), who),
  })

  app.get('/api/v1/rooms', async (req): Promise<RoomsResponse> => {
    const me = req.who.session.username
    return { rooms: await Promise.all((await views.roomsOf(me)).map((r) => summary(ctx, r, req.who))) }
  })

  app.get('/api/v1/rooms-directory', async (req): Promise<DirectoryResponse> => {
    return { rooms: await Promise.all((await views.directory()).map((r) => summary(ctx, r, req.who))) }
  })

  app.post('/api/v1/rooms', async (req, reply) => {
    const me = req.who.session.username
    const want = CreateRoom.parse(req.body)
    const invited = [...new Set(want.invite.map((u) => u.trim()).filter((u) => u && u.toLowerCase() !== me.toLowerCase()))]
    const entry = await submitNow(ctx, req.who, {
      type: 'room.created',
      room: newRoomId(),
      kind: want.kind,
      name: roomName(want.name),
      topic: topic(want.topic),
      creator: me,
      members: [me, ...invited],
    })
    if (entry.body.type === 'room.created') await firstKey(ctx, req.who, entry.body.room)
    return reply.code(201).send(await answer(entry.body.type === 'room.created' ? entry.body.room : '', req.who))
  })

  app.get('/api/v1/rooms/:room', async (req): Promise<RoomResponse> => {
    return answer(roomId(req.params), req.who)
  })

  app.patch('/api/v1/rooms/:room', async (req): Promise<RoomResponse> => {
    const me = req.who.session.username
    const id = roomId(req.params)
    const change = UpdateRoom.parse(req.body)
    if (change.name === undefined && change.topic === undefined)
      throw new InputError('bad_request', 'Say what to change: name, topic or both.')
    await submitNow(ctx, req.who, {
      type: 'room.updated',
      room: id,
      by: me,
      ...(change.name !== undefined ? { name: roomName(change.name) } : {}),
      ...(change.topic !== undefined ? { topic: topic(change.topic) } : {}),
    })
    return answer(id, req.who)
  })

  /** What the room's new messages notify this person of, on every machine they log in on. */
  app.put('/api/v1/rooms/:room/notify', async (req): Promise<RoomResponse> => {
    const me = req.who.session.username
    const id = roomId(req.params)
    const want = SetNotify.safeParse(req.body)
    if (!want.success) throw new InputError('invalid_notify_level', 'Send {"level": "all"}, {"level": "mentions"} or {"level": "mute"}.')
    // The same level again writes nothing to the log.
    if (want.data.level !== (await views.q.notifyLevel(me, id)))
      await submitNow(ctx, req.who, { type: 'notify.set', room: id, username: me, level: want.data.level })
    return answer(id, req.who)
  })

  app.post('/api/v1/rooms/:room/join', async (req): Promise<RoomResponse> => {
    const me = req.who.session.username
    const id = roomId(req.params)
    await submitNow(ctx, req.who, { type: 'room.joined', room: id, username: me, by: me })
    return answer(id, req.who)
  })

  app.post('/api/v1/rooms/:room/leave', async (req, reply) => {
    const me = req.who.session.username
    await submitNow(ctx, req.who, { type: 'room.left', room: roomId(req.params), username: me })
    return reply.code(204).send()
  })

  app.get('/api/v1/rooms/:room/members', async (req): Promise<MembersResponse> => {
    const me = req.who.session.username
    const room = await readableRoom(ctx, roomId(req.params), me)
    const members = await views.members(room.id)
    const everyone = await views.profiles()
    const profiles = Object.fromEntries(members.filter((m) => everyone[m]).map((m) => [m, everyone[m]!]))
    return { members, fingerprints: await fingerprintsOf(views, members), profiles }
  })

  app.post('/api/v1/rooms/:room/members', async (req): Promise<RoomResponse> => {
    const me = req.who.session.username
    const id = roomId(req.params)
    const { username } = Invite.parse(req.body)
    const account = await views.account(username.trim())
    if (!account) throw new InputError('unknown_author', `No account "${username.trim().slice(0, 40)}" exists on this network.`)
    await submitNow(ctx, req.who, { type: 'room.joined', room: id, username: account.username, by: me })
    return answer(id, req.who)
  })

  app.post('/api/v1/direct', async (req, reply) => {
    const me = req.who.session.username
    const names = [me]
    for (const typed of OpenDirect.parse(req.body).with) {
      const account = await views.account(typed.trim())
      if (!account) throw new InputError('unknown_author', `No account "${typed.trim().slice(0, 40)}" exists on this network.`)
      if (!names.some((n) => n.toLowerCase() === account.username.toLowerCase())) names.push(account.username)
    }
    if (names.length < 2) throw new InputError('bad_request', 'Name at least one other person to talk to.')
    const id = directRoomId(names)
    if (await views.q.room(id)) return reply.code(200).send(await answer(id, req.who))
    try {
      await submitNow(ctx, req.who, { type: 'room.created', room: id, kind: 'direct', topic: '', creator: me, members: names })
      await firstKey(ctx, req.who, id)
    } catch (err) {
      // Someone in it started the same conversation a moment before, on another machine: the
      // relay has theirs. It is this one too, once it reaches this replica.
      if (!(err instanceof ConflictError && err.code === 'room_name_taken')) throw err
      await waitForRoom(ctx, id)
      return reply.code(200).send(await answer(id, req.who))
    }
    return reply.code(201).send(await answer(id, req.who))
  })
}
