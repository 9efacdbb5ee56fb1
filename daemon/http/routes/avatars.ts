/**
 * Profile pictures: set one from a picture uploaded on this machine (the daemon cuts it into
 * a square), remove it, and fetch anyone's by name. Setting goes into the log like a message
 * (the picture reaches the relay first), so every machine shows it.
 */
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import * as z from 'zod'
import { Sha256, Username, type AvatarsResponse } from '../../../shared/index.js'
import { InputError } from '../../errors/index.js'
import { squareAvatar } from '../../media/index.js'
import type { HttpContext } from '../context.js'
import { submitAs } from '../room-access.js'

const SetAvatar = z.object({ sha256: Sha256 })
/** Larger uploads are not read whole to make a 256-pixel square. */
const AVATAR_SOURCE_MAX = 32 * 1024 * 1024

export function avatarRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.put('/api/v1/me/avatar', async (req, reply) => {
    const me = req.who.session.username
    const { sha256 } = SetAvatar.parse(req.body)
    const size = await ctx.blobs.size(sha256)
    if (size === null) throw new InputError('unknown_upload', 'Upload the picture on this machine first, then choose it.')
    if (size > AVATAR_SOURCE_MAX)
      throw new InputError('file_too_large', 'That picture is over 32 MiB; choose a smaller one for a profile picture.')
    const chunks: Buffer[] = []
    for await (const c of ctx.blobs.read(sha256)) chunks.push(c as Buffer)
    const square = await squareAvatar(Buffer.concat(chunks))
    const stored = await ctx.blobs.receive(Readable.from([square]), { maxBytes: square.length })
    const result = await submitAs(
      ctx,
      req.who,
      { type: 'account.avatar', username: me, avatar: stored.sha256 },
      { durable: true, timeoutMs: ctx.submitTimeoutMs },
    )
    return reply.code(result.state === 'sent' ? 201 : 202).send({ avatar: stored.sha256, state: result.state })
  })

  app.delete('/api/v1/me/avatar', async (req, reply) => {
    const me = req.who.session.username
    const result = await submitAs(
      ctx,
      req.who,
      { type: 'account.avatar', username: me, avatar: null },
      { durable: true, timeoutMs: ctx.submitTimeoutMs },
    )
    return reply.code(result.state === 'sent' ? 204 : 202).send()
  })

  /** Who has a picture, and which: pages ask only for those (no 404 per initial shown). */
  app.get('/api/v1/avatars', async (): Promise<AvatarsResponse> => {
    return { avatars: await ctx.store.views.avatars() }
  })

  // Cookie only: an <img src> cannot send X-CSRF-Token, and a stolen cookie gets no more here
  // than a profile picture per username it guesses (docs/API.md, Conventions).
  app.get('/api/v1/avatars/:username', { config: { cookieOnly: true } }, async (req, reply) => {
    const { username } = z.object({ username: Username }).parse(req.params)
    const avatar = (await ctx.store.views.account(username))?.avatar
    if (!avatar) throw new InputError('not_found', `${username} has no profile picture.`)
    // Same address, new picture: the browser asks again every time, and gets 304 while it is the same.
    reply.header('etag', `"${avatar}"`).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff')
    if (req.headers['if-none-match'] === `"${avatar}"`) return reply.code(304).send()
    await ctx.fetchBlob(avatar)
    return reply.type('image/webp').send(ctx.blobs.read(avatar))
  })
}
