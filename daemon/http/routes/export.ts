/**
 * `GET /api/v1/export?room=ID&format=json|html` (docs/API.md, "Export"): one room, or with no
 * room everything the person may read now, as a download. Everything that can be refused is
 * refused before the first byte (unknown room 404, a room they may not read 403, a bad format
 * 400); then the answer streams: the archive's generator (daemon/archive) is piped into the
 * socket, so it reads the next page of history only when the client has taken the last one,
 * and a client that goes away ends the pipe, the generator and the export's opener, whose
 * keys are wiped (withOpener). `X-Export-Messages` and `X-Export-Lines` say up front how much
 * is coming, for a progress bar.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyInstance } from 'fastify'
import * as z from 'zod'
import type { FileRef, Message } from '../../../shared/index.js'
import { ARCHIVE_FORMATS, type ArchiveSource, exportArchive, exportFileName, exportLines, planExport } from '../../archive/index.js'
import { InputError } from '../../errors/index.js'
import type { Authenticated } from '../auth.js'
import type { HttpContext } from '../context.js'
import { withOpener } from '../message-opener.js'
import { readableRoom, roomId } from '../room-access.js'
import { messageFile } from './files.js'

const ExportQuery = z.object({ room: z.string().optional(), format: z.string().default('json') })

/** A thumbnail is a few KiB; anything far bigger is not one this daemon made. */
const THUMBNAIL_MAX_BYTES = 512 * 1024

const MIME = { json: 'application/json; charset=utf-8', html: 'text/html; charset=utf-8' } as const

export function exportRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/export', async (req, reply) => {
    const me = req.who.session.username
    const query = ExportQuery.parse(req.query)
    const format = ARCHIVE_FORMATS.find((f) => f === query.format)
    if (!format)
      throw new InputError('bad_request', `Unknown export format "${query.format.slice(0, 20)}": use format=json or format=html.`)
    const room = query.room === undefined ? undefined : await readableRoom(ctx, roomId({ room: query.room }), me)
    const source = archiveSource(ctx, req.who)
    const plan = await planExport(source, room)
    const label = room ? room.name || room.id : 'everything'
    reply.hijack()
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': MIME[format],
      'content-disposition': `attachment; filename="${exportFileName(plan, format, label)}"`,
      'cache-control': 'no-store',
      // A download, never a page of this origin, even if a browser were told to show it.
      'content-security-policy': "default-src 'none'; sandbox",
      'x-export-messages': String(plan.total),
      'x-export-lines': String(exportLines(plan, format)),
    })
    try {
      await withOpener(ctx.store.views.q, req.who, ctx.log, (opener) =>
        pipeline(Readable.from(exportArchive({ ...source, open: (m) => opener.open(m) }, plan, format), { objectMode: false }), reply.raw),
      )
    } catch (err) {
      // The headers are sent: the only way left to say "failed" is to cut the answer short.
      const gone = (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE'
      if (gone) ctx.log.info({ by: me }, 'an export was stopped: its client went away')
      else ctx.log.error({ err, by: me }, 'an export failed midway; the file was cut short')
      reply.raw.destroy()
    }
  })
}

function archiveSource(ctx: HttpContext, who: Authenticated): ArchiveSource {
  return {
    views: ctx.store.views,
    head: ctx.store.log.head,
    network: ctx.status().network,
    username: who.session.username,
    // Replaced by the export's own opener (above); planning opens nothing.
    open: async (m) => m,
    thumbnail: (message, file) => thumbnail(ctx, who, message, file),
    log: ctx.log,
  }
}

async function thumbnail(ctx: HttpContext, who: Authenticated, message: Message, file: FileRef): Promise<Buffer | null> {
  if (!file.picture) return null
  try {
    const chunks: Buffer[] = []
    let size = 0
    const { body } = await messageFile(ctx, who, message, file.sha256, 'thumbnail')
    for await (const chunk of body) {
      size += (chunk as Buffer).length
      if (size > THUMBNAIL_MAX_BYTES) {
        body.destroy()
        return null
      }
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks)
  } catch (err) {
    ctx.log.warn(
      { err, sha256: file.picture.thumbnail, message: message.id },
      'a thumbnail could not be read for an export; the file is listed without it',
    )
    return null
  }
}
