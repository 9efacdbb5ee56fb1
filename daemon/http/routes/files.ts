/**
 * Files through the local API: resumable uploads (announce, send pieces at an offset, finish)
 * and downloads of the files of a message the asker may read. A file is only ever served as a
 * download with a safe name; a picture's thumbnail and display size, which this daemon made
 * itself from decoded pixels, are the only bytes shown inline.
 */
import { rm } from 'node:fs/promises'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { EntryId, RoomId, Sha256, type FileRef } from '../../../shared/index.js'
import { InputError } from '../../errors/index.js'
import { describeUpload } from '../../files/index.js'
import type { HttpContext } from '../context.js'
import { readableRoom } from '../room-access.js'

const StartUpload = z.object({
  name: z.string().min(1).max(1000),
  size: z.number().int().nonnegative(),
  mime: z.string().max(200).default(''),
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
    const file = StartUpload.parse(req.body)
    const started = await ctx.uploads.start(me, file, ctx.maxFileBytes())
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
    const file = message?.files?.find((f) => f.sha256 === sha256)
    if (!file) throw new InputError('not_found', 'That message has no such file (it may have been deleted).')
    if (size !== 'original' && !file.picture) throw new InputError('not_found', 'That file is not a picture; it has no other sizes.')
    const blob = size === 'original' ? file.sha256 : file.picture![size]
    await ctx.fetchBlob(blob, (await ctx.store.log.get(message!.seq))?.origin)
    return send(reply, ctx, file, blob, size)
  })
}

function send(reply: FastifyReply, ctx: HttpContext, file: FileRef, blob: string, size: 'original' | 'display' | 'thumbnail') {
  reply.header('x-content-type-options', 'nosniff')
  reply.header('content-security-policy', "default-src 'none'; sandbox")
  reply.header('cache-control', 'private, max-age=31536000, immutable')
  if (size !== 'original') return reply.type(file.picture!.mime).send(ctx.blobs.read(blob))
  const ascii = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`)
  return reply.type('application/octet-stream').header('content-length', file.size).send(ctx.blobs.read(blob))
}
