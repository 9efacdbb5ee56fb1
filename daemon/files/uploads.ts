/**
 * Uploads from this machine's page, resumable: the page announces a file (name, size), then
 * sends its bytes in one or more pieces, each at the offset the daemon has so far; a piece cut
 * off by a dropped connection leaves what arrived, and the page asks for the offset and goes
 * on from there. Only a complete upload becomes a blob. Uploads live on disk next to the
 * blobs (`uploads/<id>` and `<id>.json`), so a daemon restart does not lose them either.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as z from 'zod'
import { PictureEdit, Username, safeFileName } from '../../shared/index.js'
import { ConflictError, InputError } from '../errors/index.js'
import { mib, type BlobStore, type Stored } from './blobs.js'

const UploadMeta = z.object({
  owner: Username,
  name: z.string(),
  size: z.number().int().nonnegative(),
  mime: z.string(),
  createdAt: z.number(),
  /** A picture edit to apply when it finishes (checked at the route, again at finish). */
  edit: PictureEdit.optional(),
})
export type UploadMeta = z.infer<typeof UploadMeta>
const UPLOAD_ID = /^[a-f0-9]{24}$/

export interface UploadState {
  id: string
  offset: number
  size: number
}

export class Uploads {
  private constructor(
    private readonly dir: string,
    private readonly blobs: BlobStore,
  ) {}

  static async open(dir: string, blobs: BlobStore): Promise<Uploads> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    return new Uploads(dir, blobs)
  }

  async start(
    owner: string,
    file: { name: string; size: number; mime: string; edit?: PictureEdit | undefined },
    maxBytes: number,
  ): Promise<UploadState & { meta: UploadMeta }> {
    if (file.size > maxBytes)
      throw new InputError(
        'file_too_large',
        `"${safeFileName(file.name)}" is ${mib(file.size)}; the relay takes files up to ${mib(maxBytes)}.`,
      )
    await this.blobs.ensureRoom(file.size)
    const id = randomBytes(12).toString('hex')
    const meta: UploadMeta = { owner, name: safeFileName(file.name), size: file.size, mime: file.mime.slice(0, 100), createdAt: Date.now() }
    if (file.edit) meta.edit = file.edit
    await writeFile(join(this.dir, id), '', { mode: 0o600 })
    await writeFile(join(this.dir, `${id}.json`), JSON.stringify(meta), { mode: 0o600 })
    return { id, offset: 0, size: file.size, meta }
  }

  /** The upload of `owner` with this id, as the disk has it. */
  async get(owner: string, id: string): Promise<UploadState & { meta: UploadMeta }> {
    const unknown = new InputError(
      'unknown_upload',
      'That upload does not exist (it finished, or the daemon was reinstalled). Start the file again.',
    )
    if (!UPLOAD_ID.test(id)) throw unknown
    let meta: UploadMeta
    try {
      meta = UploadMeta.parse(JSON.parse(await readFile(join(this.dir, `${id}.json`), 'utf8')))
    } catch {
      throw unknown
    }
    if (meta.owner !== owner) throw unknown
    return { id, offset: (await stat(join(this.dir, id))).size, size: meta.size, meta }
  }

  /** Appends a piece that starts at `offset`; resolves with the new offset, even when the piece was cut short. */
  async append(owner: string, id: string, offset: number, body: Readable): Promise<number> {
    const upload = await this.get(owner, id)
    if (offset !== upload.offset) {
      body.resume()
      throw new ConflictError(
        'upload_offset_mismatch',
        `The daemon has ${upload.offset} bytes of this file, not ${offset}; send from ${upload.offset}.`,
      )
    }
    let room = upload.size - upload.offset
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (chunk.length > room) return done(new InputError('file_too_large', `More bytes arrived than the ${upload.size} announced.`))
        room -= chunk.length
        done(null, chunk)
      },
    })
    try {
      await pipeline(body, cap, createWriteStream(join(this.dir, id), { flags: 'a', mode: 0o600 }))
    } catch (err) {
      // A dropped connection keeps what arrived; the page resumes from the offset.
      if (err instanceof InputError) throw err
    }
    return (await stat(join(this.dir, id))).size
  }

  /** A complete upload becomes a blob; returns it with what the page said of the file. */
  async finish(owner: string, id: string): Promise<{ stored: Stored; meta: UploadMeta }> {
    const upload = await this.get(owner, id)
    if (upload.offset !== upload.size) {
      throw new ConflictError('upload_incomplete', `Only ${upload.offset} of ${upload.size} bytes have arrived; send the rest first.`)
    }
    const stored = await this.blobs.adopt(join(this.dir, id))
    await rm(join(this.dir, `${id}.json`), { force: true })
    return { stored, meta: upload.meta }
  }

  async cancel(owner: string, id: string): Promise<void> {
    await this.get(owner, id)
    await rm(join(this.dir, id), { force: true })
    await rm(join(this.dir, `${id}.json`), { force: true })
  }
}
