/**
 * Archive / export (issue 15): a room, or everything a person may read now, as one file they
 * keep: JSON (complete, machine-readable) or a self-contained HTML page. An export is a stream
 * of strings (an async generator), read from the views a page at a time (pages.ts) and pulled
 * by its consumer: nothing is read before the consumer asks for more, so a slow client slows
 * the export instead of filling memory, and a consumer that stops pulling (a client gone)
 * stops it. See README.md for what this folder must not do.
 */
import { htmlExport, HTML_HEAD_LINES } from './html.js'
import { jsonExport } from './json.js'
import type { ArchiveFormat, ArchivePlan, ArchiveSource } from './source.js'

export { planExport } from './plan.js'
export { escapeHtml } from './escape.js'
export { EXPORT_CSP } from './html.js'
export { JSON_FORMAT, JSON_VERSION } from './json.js'
export type { ArchiveFile, ArchiveMessage } from './record.js'
export type { ArchiveFormat, ArchivePlan, ArchiveRoom, ArchiveSource } from './source.js'

export const ARCHIVE_FORMATS = ['json', 'html'] as const

let running = 0

/** Exports being written right now: one that lost its client must drop back (a test asks). */
export function exportsInProgress(): number {
  return running
}

export async function* exportArchive(source: ArchiveSource, plan: ArchivePlan, format: ArchiveFormat): AsyncGenerator<string> {
  running++
  let written = 0
  let finished = false
  try {
    for await (const chunk of format === 'json' ? jsonExport(source, plan) : htmlExport(source, plan)) {
      written += chunk.length
      yield chunk
    }
    finished = true
  } finally {
    running--
    const what = { by: plan.exportedBy, rooms: plan.rooms.length, messages: plan.total, format, chars: written }
    if (finished) source.log.info(what, 'export written')
    else source.log.info(what, 'export stopped before its end (the client went away or reading failed)')
  }
}

/**
 * Lines the file will have: the page counts the lines it has received (one a message, see
 * json.ts and html.ts) against this for its progress bar.
 */
export function exportLines(plan: ArchivePlan, format: ArchiveFormat): number {
  return format === 'json' ? plan.total + 2 : HTML_HEAD_LINES + plan.rooms.length * 2 + plan.total + 1
}

/**
 * `sochat-NAME-20261130-1512.json`: ASCII letters, digits and dashes only, whatever the room is
 * called, so no browser or shell has anything to misread.
 */
export function exportFileName(plan: ArchivePlan, format: ArchiveFormat, label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
  const stamp = plan.exportedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 13)
  return `sochat-${safe || 'export'}-${stamp}.${format}`
}
