/**
 * What the picker remembers in this browser (localStorage, read by emoji-prefs.ts): the emoji
 * used most recently, newest first, and the chosen skin tone. Stored text is read without
 * trusting it: anything odd gives the empty list or no tone.
 */
import type { SkinTone } from './emoji-model.js'

/** Three rows of the picker. */
export const MAX_RECENT = 24
const MAX_CHAR = 32

/** The recents list from what storage held (JSON array of emoji), never throwing. */
export function parseRecents(raw: string | null): string[] {
  if (!raw || raw.length > MAX_RECENT * (MAX_CHAR + 4) + 2) return []
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return [] // a hand-edited or cut value: start the list again
  }
  if (!Array.isArray(value)) return []
  const chars = value.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_CHAR)
  return [...new Set(chars)].slice(0, MAX_RECENT)
}

/** The list after `char` was used: it goes first, once, and the oldest falls off. */
export function used(recent: readonly string[], char: string): string[] {
  return [char, ...recent.filter((c) => c !== char)].slice(0, MAX_RECENT)
}

export function parseTone(raw: string | null): SkinTone {
  const n = Number(raw)
  return Number.isInteger(n) && n >= 0 && n <= 5 && raw !== null && raw !== '' ? (n as SkinTone) : 0
}
