/**
 * The picker's memory in this browser: recently used emoji and the skin tone. localStorage may
 * refuse (storage full, blocked by the browser's settings): then the picker goes on without
 * remembering, and says why in the console.
 */
import type { SkinTone } from './emoji-model.js'
import { parseRecents, parseTone, used } from './emoji-recents-model.js'

const RECENT_KEY = 'sochat.emoji.recent'
const TONE_KEY = 'sochat.emoji.tone'

function read(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch (err) {
    console.warn(`emoji: could not read ${key} from localStorage`, err)
    return null
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value)
  } catch (err) {
    console.warn(`emoji: could not keep ${key} in localStorage`, err)
  }
}

export function recentEmoji(): string[] {
  return parseRecents(read(RECENT_KEY))
}

/** Notes a use (the emoji without its tone, so a new tone applies to it too). */
export function noteEmojiUse(char: string): void {
  write(RECENT_KEY, JSON.stringify(used(recentEmoji(), char)))
}

export function skinTone(): SkinTone {
  return parseTone(read(TONE_KEY))
}

export function setSkinTone(tone: SkinTone): void {
  write(TONE_KEY, String(tone))
}
