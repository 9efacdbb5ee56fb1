/**
 * The export download's logic, without the page: reading the streamed answer of
 * GET /api/v1/export with progress, and the name to save it under. The daemon writes one line
 * per message and says up front how many lines are coming (X-Export-Lines), so counting the
 * newlines received gives the progress without parsing anything.
 */

/**
 * The largest export the page holds: the file is gathered in the page's memory and saved from
 * a Blob URL, which is fine for what one page can hold. Larger ones stop with words pointing to
 * `sochat export`, which writes to disk as it goes.
 */
export const MAX_PAGE_EXPORT_BYTES = 512 * 1024 * 1024

export interface ExportProgress {
  /** Lines received so far, and how many are coming (0: unknown). */
  lines: number
  totalLines: number
  bytes: number
  /** Messages in the export, as the daemon counted them up front. */
  messages: number
}

export class ExportTooLarge extends Error {
  constructor() {
    super(
      `This export is over ${MAX_PAGE_EXPORT_BYTES / 2 ** 20} MiB, more than the page keeps; use \`sochat export\` in a terminal, which writes it to disk as it goes.`,
    )
    this.name = 'ExportTooLarge'
  }
}

/** 0..1, or null when the daemon did not say how much is coming. */
export function fraction(p: ExportProgress): number | null {
  if (p.totalLines <= 0) return null
  return Math.min(1, p.lines / p.totalLines)
}

const sizeText = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`)
const messagesText = (n: number) => `${n} message${n === 1 ? '' : 's'}`

export function progressText(p: ExportProgress): string {
  const f = fraction(p)
  const size = sizeText(p.bytes)
  return f === null ? `${size} received` : `${Math.floor(f * 100)}% of ${messagesText(p.messages)} (${size})`
}

export function savedText(bytes: number, messages: number): string {
  return `Saved: ${messagesText(messages)}, ${sizeText(bytes)}.`
}

/** The name the daemon chose, if it is a plain one (daemon/archive: ASCII letters, digits, dashes, one dot). */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  const name = /filename="([A-Za-z0-9._-]+)"/.exec(disposition ?? '')?.[1]
  return name && !name.startsWith('.') ? name : fallback
}

/** Reads the answer to the end, reporting progress after every piece; the pieces make the Blob. */
export async function readExport(res: Response, onProgress: (p: ExportProgress) => void): Promise<Blob> {
  const progress: ExportProgress = {
    lines: 0,
    totalLines: Number(res.headers.get('x-export-lines') ?? 0) || 0,
    bytes: 0,
    messages: Number(res.headers.get('x-export-messages') ?? 0) || 0,
  }
  const parts: Uint8Array[] = []
  const reader = res.body?.getReader()
  if (!reader) throw new Error('The daemon sent no export.')
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    progress.bytes += value.byteLength
    if (progress.bytes > MAX_PAGE_EXPORT_BYTES) {
      await reader.cancel()
      throw new ExportTooLarge()
    }
    for (const b of value) if (b === 10) progress.lines++
    parts.push(value)
    onProgress(progress)
  }
  if (progress.totalLines > 0 && progress.lines < progress.totalLines) {
    throw new Error('The export was cut short (the daemon stopped it; its log says why). Try again.')
  }
  return new Blob(parts as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' })
}
