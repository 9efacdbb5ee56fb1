/**
 * The daemon's resumable upload API for upload-model.ts. The bytes go with XMLHttpRequest because
 * fetch cannot report upload progress; the small JSON calls go through the Api like every
 * other request (CSRF header, errors in words).
 */
import type { FileRef } from '../../../shared/files.js'
import type { PictureEdit } from '../../../shared/picture-edit.js'
import { ApiError, errorFromBody, humanError, type Api } from '../app/api.js'
import { isFileRef } from './file-info-model.js'
import type { UploadTransport } from './upload-model.js'

const UPLOADS = '/api/v1/uploads'
const OCTETS = 'application/offset+octet-stream'

function uploadPath(id: string): string {
  return `${UPLOADS}/${encodeURIComponent(id)}`
}

export class DaemonUploads implements UploadTransport<Blob> {
  constructor(private readonly api: Api) {}

  async start(file: { name: string; size: number; mime: string; edit?: PictureEdit }): Promise<{ id: string }> {
    const answer = await this.api.post<{ id?: unknown }>(UPLOADS, file)
    if (typeof answer.id !== 'string') throw new ApiError('bad_response', humanError('bad_response'), 201)
    return { id: answer.id }
  }

  async offset(id: string): Promise<number> {
    const answer = await this.api.get<{ offset?: unknown }>(uploadPath(id))
    if (typeof answer.offset !== 'number') throw new ApiError('bad_response', humanError('bad_response'), 200)
    return answer.offset
  }

  async finish(id: string): Promise<FileRef> {
    const answer = await this.api.post<{ file?: unknown }>(`${uploadPath(id)}/finish`, {})
    if (!isFileRef(answer.file)) throw new ApiError('bad_response', humanError('bad_response'), 200)
    return answer.file
  }

  cancel(id: string): Promise<void> {
    return this.api.delete(uploadPath(id))
  }

  send(id: string, offset: number, piece: Blob, onProgress: (sent: number) => void, signal: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('PATCH', uploadPath(id))
      xhr.setRequestHeader('Content-Type', OCTETS)
      xhr.setRequestHeader('Upload-Offset', String(offset))
      const csrf = this.api.csrfToken
      if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf)
      xhr.upload.addEventListener('progress', (ev) => onProgress(ev.loaded))
      xhr.addEventListener('load', () => {
        if (xhr.status === 204) return resolve(Number(xhr.getResponseHeader('Upload-Offset') ?? NaN))
        reject(errorFromBody(xhr.status, parseJson(xhr.responseText)))
      })
      // A dropped connection: upload-model.ts asks the daemon how much arrived and goes on.
      xhr.addEventListener('error', () => reject(new ApiError('network', humanError('network'), 0)))
      xhr.addEventListener('abort', () => reject(new ApiError('network', 'Cancelled.', 0)))
      signal.addEventListener('abort', () => xhr.abort(), { once: true })
      xhr.send(piece)
    })
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
