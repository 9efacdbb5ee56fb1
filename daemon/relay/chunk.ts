import type { Entry } from '../../shared/index.js'

/** Leaves room under MAX_FRAME_BYTES for the frame's own fields. */
export const FRAME_BUDGET = 900 * 1024

/**
 * Serializes entries once into ready-to-send `entries` frames, each under the byte budget, so
 * fan-out to many links costs one JSON.stringify per entry, not one per link.
 */
export function entryFrames(entries: Entry[], budget = FRAME_BUDGET): string[] {
  const frames: string[] = []
  let parts: string[] = []
  let size = 0
  for (const entry of entries) {
    const json = JSON.stringify(entry)
    const bytes = Buffer.byteLength(json)
    if (parts.length > 0 && (size + bytes + 1 > budget || parts.length >= 2000)) {
      frames.push(wrap(parts))
      parts = []
      size = 0
    }
    parts.push(json)
    size += bytes + 1
  }
  if (parts.length > 0) frames.push(wrap(parts))
  return frames
}

function wrap(parts: string[]): string {
  return `{"type":"entries","entries":[${parts.join(',')}]}`
}
