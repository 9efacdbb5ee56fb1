import type { Entry, OrderStatement } from '../../shared/index.js'

/** Leaves room under MAX_FRAME_BYTES for the frame's own fields (the order statement is ~400 bytes). */
export const FRAME_BUDGET = 900 * 1024

/** Entries serialized for one `entries` frame, and the seq of its last (what its statement is about). */
export interface EntryChunk {
  parts: string[]
  last: number
}

/**
 * Serializes entries once into chunks for `entries` frames, each under the byte budget, so
 * fan-out to many links costs one JSON.stringify per entry, not one per link.
 */
export function entryChunks(entries: Entry[], budget = FRAME_BUDGET): EntryChunk[] {
  const chunks: EntryChunk[] = []
  let parts: string[] = []
  let size = 0
  let last = 0
  for (const entry of entries) {
    const json = JSON.stringify(entry)
    const bytes = Buffer.byteLength(json)
    if (parts.length > 0 && (size + bytes + 1 > budget || parts.length >= 2000)) {
      chunks.push({ parts, last })
      parts = []
      size = 0
    }
    parts.push(json)
    size += bytes + 1
    last = entry.seq
  }
  if (parts.length > 0) chunks.push({ parts, last })
  return chunks
}

/** One `entries` frame, with the relay's signed statement of chain(chunk.last). */
export function entriesFrame(chunk: EntryChunk, order: OrderStatement): string {
  return `{"type":"entries","entries":[${chunk.parts.join(',')}],"order":${JSON.stringify(order)}}`
}

/** Chunks and frames in one go, when each chunk's statement can be had at once (fan-out). */
export function entryFrames(entries: Entry[], order: (last: number) => OrderStatement, budget = FRAME_BUDGET): string[] {
  return entryChunks(entries, budget).map((c) => entriesFrame(c, order(c.last)))
}
