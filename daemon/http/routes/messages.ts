import type { FastifyInstance } from 'fastify'
import {
  MAX_MESSAGE_BYTES,
  MarkRead,
  MessagesQuery,
  PostMessage,
  utf8Length,
  type FileRef,
  type Message,
  type SealedBlob,
  type SealedFileRef,
  type MessagesResponse,
  type OutboxResponse,
  type PostMessageResponse,
  type ReadPosition,
  type TimelineNotice,
} from '../../../shared/index.js'
import { InputError, SochatError } from '../../errors/index.js'
import { dropPlaintext, fileBlobs, sealFiles } from '../../files/index.js'
import { mayPost } from '../../rooms/index.js'
import type { Authenticated } from '../auth.js'
import type { HttpContext } from '../context.js'
import { noticesForPage, timelineNotice } from '../fingerprints.js'
import { withOpener } from '../message-opener.js'
import { allowed, readableRoom, roomId, submitAs } from '../room-access.js'
import { sealText } from '../room-sealer.js'
import { replyLinks, type ReplyLinks } from '../reply-links.js'

/** The rules for a message's text, said in words before anything is queued. */
export function messageText(text: string): string {
  if (text.trim().length === 0) throw new InputError('empty_message', 'The message is empty.')
  if (utf8Length(text) > MAX_MESSAGE_BYTES) {
    throw new InputError('message_too_large', `The message is over ${MAX_MESSAGE_BYTES / 1024} KiB; shorten it or send it as a file.`)
  }
  return text
}

/** Files a message may carry: uploaded and finished on this machine (their bytes are here). */
async function localFiles(ctx: HttpContext, files: FileRef[]): Promise<FileRef[]> {
  for (const f of files) {
    for (const blob of fileBlobs(f)) {
      if ((await ctx.blobs.size(blob)) === null)
        throw new InputError('unknown_upload', `"${f.name}" was not uploaded to this machine; upload it (and finish the upload) first.`)
    }
  }
  return files
}

/** Times a post is sealed again when the relay says the room's members changed meanwhile. */
const STALE_RETRIES = 2

/**
 * Posts `text`, sealed for the room's members when the room is encrypted (room-sealer.ts).
 * The relay refuses a message sealed under a key older than the room's latest membership
 * change (`room_key_stale`, someone joined or left while it was on its way): it is sealed
 * again under a new key, a couple of times at most.
 *
 * Its files, in an encrypted room, are sealed into blobs of their own once (daemon/files/
 * sealed.ts), before the text is sealed with their keys; once the message is queued (or
 * written) their plaintext blobs are removed from this machine. Refused, the plaintext stays
 * for the page to send again, and the sealed blobs no message names go with the sweep.
 */
async function postSealed(
  ctx: HttpContext,
  who: Authenticated,
  room: string,
  text: string,
  files: FileRef[] | undefined,
  links: ReplyLinks,
) {
  const author = who.session.username
  let sealedFiles: Promise<{ files: SealedFileRef[]; blobs: SealedBlob[] }> | null = null
  const sealFilesOnce = () => {
    sealedFiles ??= sealFiles(ctx.blobs, files ?? [])
    return sealedFiles
  }
  for (let attempt = 0; ; attempt++) {
    const sealed = await sealText(ctx, who, room, text, files ? async () => (await sealFilesOnce()).files : undefined)
    const carried = sealed ? (files ? { blobs: (await sealFilesOnce()).blobs } : {}) : files ? { files } : {}
    const body = {
      type: 'message.posted' as const,
      room,
      author,
      text: sealed ? '' : text,
      ...carried,
      ...(sealed ? { sealed } : {}),
      ...links,
    }
    try {
      const result = await submitAs(ctx, who, body, { durable: true, timeoutMs: ctx.submitTimeoutMs })
      if (sealed && files) await dropPlainFiles(ctx, room, files)
      return { result, sealed }
    } catch (err) {
      if (!(err instanceof SochatError && err.code === 'room_key_stale') || attempt >= STALE_RETRIES) throw err
      ctx.log.info({ room }, 'the room changed while a sealed message was on its way; sealing it again')
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

/**
 * The plaintext of files now sealed and queued leaves this machine's disk, but what a plain
 * message still in the outbox names (the same bytes sent to a public room too). A plain message
 * already in the log with the same bytes is fetched again from the relay when opened here.
 */
async function dropPlainFiles(ctx: HttpContext, room: string, files: FileRef[]): Promise<void> {
  const keep = new Set<string>()
  for (const s of await ctx.outbox.pending())
    if (s.body.type === 'message.posted') for (const f of s.body.files ?? []) for (const b of fileBlobs(f)) keep.add(b)
  const gone = await dropPlaintext(ctx.blobs, files, keep)
  ctx.log.info(
    { room, sealed: files.length, removed: gone.length, kept: keep.size > 0 },
    "sealed a message's files; their plaintext is gone from this machine",
  )
}

type HistoryPage = { messages: Message[]; hasOlder: boolean; hasNewer: boolean }

/**
 * The history around one message (a search result opened in its room): up to half the page
 * before it, the message, the rest after it; when one side runs short (the room's start), the
 * other gets the room. Each side is read one longer than wanted, so the page says whether there
 * is more beyond it and the page can scroll on both ways.
 */
async function aroundPage(ctx: HttpContext, room: string, id: string, limit: number): Promise<HistoryPage> {
  const views = ctx.store.views
  const target = await views.q.message(room, id)
  if (!target) throw new InputError('unknown_message', 'That message is not in this room (or no longer exists); search again.')
  const wantOlder = Math.floor((limit - 1) / 2)
  let older = await views.messages(room, wantOlder + 1, target.seq)
  let hasOlder = older.length > wantOlder
  if (hasOlder) older.shift()
  const wantNewer = limit - 1 - older.length
  const newer = await views.messagesAfter(room, wantNewer + 1, target.seq)
  const hasNewer = newer.length > wantNewer
  if (hasNewer) newer.pop()
  const spare = wantNewer - newer.length // near the room's newest: the older side gets the room
  if (spare > 0 && hasOlder) {
    const more = await views.messages(room, spare + 1, older[0]!.seq)
    hasOlder = more.length > spare
    if (hasOlder) more.shift()
    older = [...more, ...older]
  }
  return { messages: [...older, target, ...newer], hasOlder, hasNewer }
}

/** The page after `after` (paging down from an opened result), one read longer to know if more follow. */
async function afterPage(ctx: HttpContext, room: string, after: number, limit: number): Promise<HistoryPage> {
  const messages = await ctx.store.views.messagesAfter(room, limit + 1, after)
  const hasNewer = messages.length > limit
  if (hasNewer) messages.pop()
  return { messages, hasOlder: after > 0 || messages.length > 0, hasNewer }
}

/**
 * The key notices that go with an `around` or `after` page: those between its oldest message
 * (or the room's start, when nothing is older) and its newest (or the end, when nothing is
 * newer). Pages of `before` from its top and of `after` from its bottom then give each notice once.
 */
async function noticesBetween(ctx: HttpContext, room: string, page: HistoryPage, from: number): Promise<TimelineNotice[]> {
  const lower = page.hasOlder ? (page.messages[0]?.seq ?? from) : from
  const upper = page.hasNewer ? page.messages[page.messages.length - 1]?.seq : undefined
  return (await ctx.store.views.notices(room, lower, upper)).map(timelineNotice)
}

/**
 * A MessagesResponse of a room's newest pages as UTF-8 bytes, from its messages' JSON text: what
 * `JSON.stringify` makes of the object, without decoding the messages and encoding them again,
 * and written straight into the bytes sent (a string would be joined, then flattened and copied
 * again to be sent). Bench `history`: encoding and decoding were most of what a page allocated,
 * and the scavenges that follow made its p99 (issue 18, bench/README.md).
 */
function responseBytes(messages: readonly string[], notices: TimelineNotice[]): Buffer {
  const head = '{"messages":['
  const tail = `],"notices":${JSON.stringify(notices)}}`
  let size = head.length + Math.max(messages.length - 1, 0) + Buffer.byteLength(tail)
  for (const m of messages) size += Buffer.byteLength(m)
  const out = Buffer.allocUnsafe(size)
  let at = out.write(head)
  for (let i = 0; i < messages.length; i++) {
    if (i > 0) at += out.write(',', at)
    at += out.write(messages[i]!, at)
  }
  at += out.write(tail, at)
  // Never hand out bytes that were not written (allocUnsafe's are whatever the pool held).
  if (at !== size) throw new SochatError('internal', `a page's answer came to ${at} bytes, not the ${size} counted`)
  return out
}

export function messageRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/rooms/:room/messages', async (req, reply) => {
    const me = req.who.session.username
    const room = await readableRoom(ctx, roomId(req.params), me)
    const q = MessagesQuery.parse(req.query)
    if ([q.before, q.after, q.around].filter((v) => v !== undefined).length > 1) {
      throw new InputError('bad_request', 'Use one of before=, after= and around= at a time; see docs/API.md.')
    }
    if (q.around !== undefined || q.after !== undefined) {
      const page =
        q.around !== undefined ? await aroundPage(ctx, room.id, q.around, q.limit) : await afterPage(ctx, room.id, q.after!, q.limit)
      const messages = await withOpener(ctx.store.views.q, req.who, ctx.log, (o) => o.openAll(page.messages))
      const notices = await noticesBetween(ctx, room.id, page, q.after ?? 0)
      return { messages, notices, hasOlder: page.hasOlder, hasNewer: page.hasNewer } satisfies MessagesResponse
    }
    // The room's newest pages, read most: answered from the messages' stored JSON (issue 18).
    const page = await ctx.store.views.messagesJson(room.id, q.limit, q.before)
    const messages = await withOpener(ctx.store.views.q, req.who, ctx.log, (o) => o.openAllJson(page))
    const oldestSeq = page.length > 0 ? (JSON.parse(page[0]!) as Message).seq : undefined
    const notices = await noticesForPage(ctx.store.views, room.id, { size: page.length, oldestSeq }, q.limit, q.before)
    return reply.type('application/json; charset=utf-8').send(responseBytes(messages, notices))
  })

  app.get('/api/v1/rooms/:room/read', async (req): Promise<ReadPosition> => {
    const me = req.who.session.username
    const room = await readableRoom(ctx, roomId(req.params), me)
    const { seq, unread } = await ctx.store.views.readPosition(me, room.id)
    return { seq, unread }
  })

  /**
   * Moves this person's read position forward (never back). Queued in the outbox like a
   * message, so a mark made while no relay is reachable still arrives; answered at once.
   */
  app.put('/api/v1/rooms/:room/read', async (req, reply) => {
    const me = req.who.session.username
    const room = await readableRoom(ctx, roomId(req.params), me)
    const { seq } = MarkRead.parse(req.body)
    if (seq > ctx.store.log.head) {
      throw new InputError('bad_request', `Message ${seq} does not exist yet (the log ends at ${ctx.store.log.head}).`)
    }
    const current = await ctx.store.views.readPosition(me, room.id)
    if (seq > current.seq) {
      void submitAs(ctx, req.who, { type: 'read.marked', room: room.id, username: me, seq }, { durable: true, timeoutMs: 1 }).catch((err) =>
        ctx.log.warn({ err }, 'queueing a read mark failed'),
      )
    }
    return reply.code(204).send()
  })

  /** This user's messages that wait in this machine's outbox, oldest first. */
  app.get('/api/v1/outbox', async (req): Promise<OutboxResponse> => {
    const me = req.who.session.username
    const mine = (await ctx.outbox.pending()).filter((s) => s.body.type === 'message.posted' && s.body.author === me)
    const pending = await withOpener(ctx.store.views.q, req.who, ctx.log, (o) =>
      Promise.all(
        mine.map(async (s) => {
          const b = s.body as Extract<typeof s.body, { type: 'message.posted' }>
          const m = await o.open({
            id: s.id,
            seq: 0,
            room: b.room,
            author: b.author,
            text: b.text,
            ts: s.ts,
            ...(b.sealed ? { sealed: b.sealed } : {}),
          })
          return { id: s.id, room: b.room, author: b.author, text: m.text, ts: s.ts }
        }),
      ),
    )
    return { pending }
  })

  /**
   * 201 when the relay has written it; 202 when it waits in this machine's outbox (no relay
   * right now) and will be delivered later.
   */
  app.post('/api/v1/rooms/:room/messages', async (req, reply) => {
    const me = req.who.session.username
    const room = roomId(req.params)
    const body = PostMessage.parse(req.body)
    const files = body.files.length > 0 ? await localFiles(ctx, body.files) : undefined
    const text = files && body.text.trim() === '' ? '' : messageText(body.text)
    allowed(await mayPost(ctx.store.views.q, room, me))
    const links = await replyLinks(ctx.store.views.q, room, body)
    const { result, sealed } = await postSealed(ctx, req.who, room, text, files, links)
    const quote = links.replyTo
      ? { quote: await withOpener(ctx.store.views.q, req.who, ctx.log, (o) => o.quote(room, links.replyTo!)) }
      : {}
    const extra = { ...(files ? { files } : {}), ...(sealed ? { encrypted: true as const } : {}), ...links, ...quote }
    if (result.state === 'sent') {
      const e = result.entry
      const sent: PostMessageResponse = { state: 'sent', message: { id: e.id, seq: e.seq, room, author: me, text, ts: e.ts, ...extra } }
      return reply.code(201).send(sent)
    }
    const s = result.submission
    const pending: PostMessageResponse = { state: 'pending', message: { id: s.id, room, author: me, text, ts: s.ts, ...extra } }
    return reply.code(202).send(pending)
  })
}
