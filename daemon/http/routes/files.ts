/**
 * Files through the local API: resumable uploads (announce, send pieces at an offset, finish)
 * and downloads of the files of a message the asker may read. A file is only ever served as a
 * download with a safe name; a picture's thumbnail and display size, which this daemon made
 * itself from decoded pixels, are the only bytes shown inline.
 */
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply } from 'fastify'
import * as z from 'zod'
import { EntryId, parsePictureEdit, RoomId, Sha256, type FileRef, type FileSeal, type Message } from '../../../shared/index.js'
import { InputError, SochatError } from '../../errors/index.js'
import { describeUpload, openBlob } from '../../files/index.js'
import { openedFileSize } from '../../sealing/index.js'
import type { Authenticated } from '../auth.js'
import type { HttpContext } from '../context.js'
import { withOpener } from '../message-opener.js'
import { readableRoom } from '../room-access.js'

const StartUpload = z.object({
  name: z.string().min(1).max(1000),
  size: z.number().int().nonnegative(),
  mime: z.string().max(200).default(''),
  /** A picture edit, checked below by shared/picture-edit.ts (to name its field and code). */
  edit: z.unknown().optional(),
})
const UploadParam = z.object({ id: z.string().max(64) })
const FileParams = z.object({ room: RoomId, id: EntryId, sha256: Sha256 })
const FileQuery = z.object({ size: z.enum(['original', 'display', 'thumbnail']).default('original') })
const OCTETS = 'application/offset+octet-stream'

/**
 * Pieces of a file stay a stream: never parsed, never buffered whole. Registered on the whole
 * app (index.ts), not only in the signed-in scope the upload routes are in, so that a request
 * of this type to any route is answered as it always was.
 */
export function streamUploadPieces(app: FastifyInstance): void {
  app.addContentTypeParser(OCTETS, (_req, payload, done) => done(null, payload))
}

export function fileRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post('/api/v1/uploads', async (req, reply) => {
    const me = req.who.session.username
    const { edit, ...file } = StartUpload.parse(req.body)
    const checked = edit === undefined ? null : parsePictureEdit(edit)
    if (checked && !checked.ok) throw new InputError('bad_picture_edit', checked.message)
    const started = await ctx.uploads.start(me, { ...file, edit: checked?.edit }, ctx.maxFileBytes())
    return reply.code(201).send({ id: started.id, offset: 0, size: started.size, maxBytes: ctx.maxFileBytes() })
  })

  app.get('/api/v1/uploads/:id', async (req) => {
    const me = req.who.session.username
    const { id, offset, size } = await ctx.uploads.get(me, UploadParam.parse(req.params).id)
    return { id, offset, size }
  })

  app.patch('/api/v1/uploads/:id', async (req, reply) => {
    const me = req.who.session.username
    if (req.headers['content-type'] !== OCTETS) throw new InputError('bad_request', `Send the bytes as ${OCTETS}.`)
    const offset = Number(req.headers['upload-offset'])
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new InputError('bad_request', 'Say where this piece starts in an Upload-Offset header.')
    const now = await ctx.uploads.append(me, UploadParam.parse(req.params).id, offset, req.body as NodeJS.ReadableStream as never)
    return reply.code(204).header('upload-offset', String(now)).send()
  })

  app.post('/api/v1/uploads/:id/finish', async (req) => {
    const me = req.who.session.username
    const { stored, meta } = await ctx.uploads.finish(me, UploadParam.parse(req.params).id)
    let file: FileRef
    try {
      file = await describeUpload(ctx.blobs, stored, meta)
    } catch (err) {
      // Refused (a broken picture): nothing of it stays. No message can hold the same bytes,
      // since they would have been refused there too.
      await rm(ctx.blobs.path(stored.sha256), { force: true })
      throw err
    }
    ctx.log.info({ sha256: file.sha256, size: file.size, picture: Boolean(file.picture) }, 'file uploaded')
    return { file }
  })

  app.delete('/api/v1/uploads/:id', async (req, reply) => {
    const me = req.who.session.username
    await ctx.uploads.cancel(me, UploadParam.parse(req.params).id)
    return reply.code(204).send()
  })

  // Cookie only: <img src> and <a download> cannot send X-CSRF-Token, and the address needs
  // the file's SHA-256, which a thief of the cookie cannot list without the CSRF token.
  app.get('/api/v1/rooms/:room/messages/:id/files/:sha256', { config: { cookieOnly: true } }, async (req, reply) => {
    const me = req.who.session.username
    const { room, id, sha256 } = FileParams.parse(req.params)
    const { size } = FileQuery.parse(req.query)
    await readableRoom(ctx, room, me)
    const message = await ctx.store.views.q.message(room, id)
    if (!message) throw new InputError('not_found', 'That message has no such file (it may have been deleted).')
    return send(reply, await messageFile(ctx, req.who, message, sha256, size), size)
  })
}

type FileSize = 'original' | 'display' | 'thumbnail'

/** One size of a message's file, ready to send: its ref, its bytes, how many, and whether it was sealed. */
export interface MessageFile {
  file: FileRef
  body: Readable
  length: number
  sealed: boolean
}

/**
 * One size of one file of a message, as the person asking may read it: a plain blob, or a
 * sealed one opened and checked for them (openSealed). The file route sends it, and the
 * export (routes/export.ts) inlines picture thumbnails from it: one place reads a message's
 * file bytes. Fetched from the network first if this machine lacks the blob.
 */
export async function messageFile(
  ctx: HttpContext,
  who: Authenticated,
  message: Message,
  sha256: string,
  size: FileSize,
): Promise<MessageFile> {
  if (message.sealed) return openSealed(ctx, who, message, sha256, size)
  const file = message.files?.find((f) => f.sha256 === sha256)
  if (!file) throw new InputError('not_found', 'That message has no such file (it may have been deleted).')
  if (size !== 'original' && !file.picture) throw new InputError('not_found', 'That file is not a picture; it has no other sizes.')
  const origin = (await ctx.store.log.get(message.seq))?.origin
  // The file itself is sent as it arrives; a picture's smaller sizes are whole before they are sent.
  if (size === 'original') return { file, body: await ctx.streamBlob(file.sha256, file.size, origin), length: file.size, sealed: false }
  const blob = file.picture![size]
  await ctx.fetchBlob(blob, origin)
  return { file, body: ctx.blobs.read(blob), length: (await ctx.blobs.size(blob)) ?? 0, sealed: false }
}

/**
 * A file of a sealed message, opened on the fly for the person asking (docs/ARCHITECTURE.md,
 * "Private rooms end to end"): its key comes out of the message's sealed content, opened with
 * this person's session (message-opener.ts); no session key, or no key of the message's epoch
 * for them, is `file_unreadable`. The sealed blob is fetched like any other, then decrypted as
 * it is sent:
 *
 * - nothing is sent before the first chunk has opened, so a file whose start is altered (and
 *   any picture size or file of one chunk, up to 64 KiB, altered anywhere) is answered
 *   `file_tampered` with nothing of it sent;
 * - after that, each chunk is sent only once it has opened; a chunk that does not, or an end
 *   before the final chunk, stops the response where it is and closes the connection, so the
 *   browser sees a download cut short (fewer bytes than Content-Length), never altered bytes;
 *   it is logged with the message and its author.
 *
 * Never cached by the browser (`no-store`): its disk cache would keep the plaintext. Range
 * requests are not served: the whole file is the answer (200), as for plain files.
 */
async function openSealed(ctx: HttpContext, who: Authenticated, message: Message, sha256: string, size: FileSize): Promise<MessageFile> {
  const content = await withOpener(ctx.store.views.q, who, ctx.log, (o) => o.content(message))
  if (typeof content === 'string')
    throw new SochatError(
      'file_unreadable',
      content === 'no_session_key'
        ? 'This session holds no keys to open files of this room with; log out and in again.'
        : 'This file was sealed for the room before you were in it (or after you left), or its key does not open here.',
    )
  const file = content.files?.find((f) => f.sha256 === sha256)
  if (!file) throw new InputError('not_found', 'That message has no such file (it may have been deleted).')
  const seal = file.seal[size]
  if (!seal) throw new InputError('not_found', 'That file is not a picture; it has no other sizes.')
  await ctx.fetchBlob(seal.blob, (await ctx.store.log.get(message.seq))?.origin)
  const plainBytes = openedFileSize(seal.size)
  const where = { room: message.room, id: message.id, author: message.author, blob: seal.blob, size, reader: who.session.username }
  if (plainBytes === null || (await ctx.blobs.size(seal.blob)) !== seal.size) {
    ctx.log.warn(where, 'a sealed file is not the size its message says; not served')
    throw new SochatError('file_tampered', 'This file does not open: it was altered. Ask its sender to send it again.')
  }
  return { file, body: await openChecked(ctx, seal, where), length: plainBytes, sealed: true }
}

/**
 * The sealed blob opened as a stream that starts only once its first piece has opened
 * (`file_tampered` otherwise, with nothing sent), and that errors — cutting the response off —
 * at the first chunk that does not. A download abandoned part-way closes the blob (and wipes
 * its key) too.
 */
async function openChecked(ctx: HttpContext, seal: FileSeal, where: Record<string, unknown>): Promise<Readable> {
  const opened = (await openBlob(ctx.blobs, seal))[Symbol.asyncIterator]()
  let first: IteratorResult<Buffer>
  try {
    first = await opened.next()
  } catch (err) {
    ctx.log.warn({ ...where, err }, 'a sealed file does not open under its key; not served')
    throw new SochatError('file_tampered', 'This file does not open: it was altered or cut short. Ask its sender to send it again.')
  }
  return Readable.from(
    (async function* () {
      try {
        if (!first.done) yield first.value
        for (let next = await opened.next(); !next.done; next = await opened.next()) yield next.value
      } catch (err) {
        ctx.log.warn({ ...where, err }, 'a sealed file stopped opening part-way; the download was cut off')
        throw err
      } finally {
        await opened.return?.()
      }
    })(),
  )
}

function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

function send(reply: FastifyReply, opened: MessageFile, size: FileSize) {
  const { file, body, length, sealed } = opened
  reply.header('x-content-type-options', 'nosniff')
  reply.header('content-security-policy', "default-src 'none'; sandbox")
  // An opened sealed file is never cached by the browser: its disk cache would keep the plaintext.
  reply.header('cache-control', sealed ? 'no-store' : 'private, max-age=31536000, immutable')
  if (sealed || size === 'original') reply.header('content-length', length)
  if (size !== 'original') return reply.type(file.picture!.mime).send(body)
  return reply.type('application/octet-stream').header('content-disposition', attachment(file.name)).send(body)
}
