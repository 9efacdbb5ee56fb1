/**
 * A person's display name and status (`profile.set`, issue 17): free text beside the
 * username, so it is where someone would try to pass for someone else. What is safest, and why:
 *
 * - The username is always shown next to a display name ("Alice Martin @alice"): the username
 *   is unique and cannot change, so it is the real defence, and every other rule here is a
 *   second line.
 * - Refused outright, in both texts: control characters (C0, DEL, C1: a new line would draw a
 *   second, fake line), bidirectional overrides, embeddings, isolates and marks (U+202A–202E,
 *   U+2066–2069, U+200E/200F, U+061C: they reorder what is drawn, "Trojan Source"), and
 *   invisible characters (zero-width space and joiners, word joiner, soft hyphen, BOM, Hangul
 *   fillers, interlinear annotations, line/paragraph separators…): with them "alice" and
 *   "al\u200Bice" look the same but differ. A zero-width joiner is kept only between two emoji
 *   (families, "woman technologist"), and tag characters only in a subdivision flag.
 *   The lists are written out rather than read from Unicode properties, so every daemon of one
 *   protocol version agrees whatever Unicode its Node ships (a disagreement would stop
 *   replication).
 * - Text must be in NFC (the API normalises before signing: the signature covers the bytes),
 *   and is measured in code points after it: at most DISPLAY_NAME_MAX and STATUS_MAX.
 * - A display name that is another account's username, with or without "@", compared without
 *   case and after NFKC (so full-width "ａｌｉｃｅ" counts), is refused by the rule book
 *   (`display_name_is_username`) and ignored by every replica's views (a hostile relay gains
 *   nothing). Your own username is fine. Look-alike letters from other scripts (Cyrillic "а")
 *   are not caught: that is what the username beside it is for.
 * - Empty means none. Only the account itself sets its profile (the signer is the subject).
 */
import { DISPLAY_NAME_MAX, STATUS_MAX } from './limits.js'

export type ProfileTextProblem = 'profile_too_long' | 'profile_hidden_characters'

/** Invisible or reordering characters, never allowed (see above): inclusive code point ranges. */
const HIDDEN: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x001f], // C0 controls (tab, new line…)
  [0x007f, 0x009f], // DEL and C1 controls
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5], // Khmer invisible vowels
  [0x180b, 0x180f], // Mongolian variation selectors and vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x2028, 0x202e], // line and paragraph separators, bidi embeddings and overrides
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates, deprecated formats
  [0x3164, 0x3164], // Hangul filler
  [0xfeff, 0xfeff], // byte order mark
  [0xffa0, 0xffa0], // half-width Hangul filler
  [0xfff9, 0xfffb], // interlinear annotations
  [0x1d173, 0x1d17a], // musical formatting
  [0xe0000, 0xe007f], // tags (kept only in a subdivision flag)
]
const ZWJ = 0x200d
const isHidden = (cp: number) => HIDDEN.some(([lo, hi]) => cp >= lo && cp <= hi)
/** Emoji pictures and the marks that may sit between a picture and a joiner. */
const isPicture = (cp: number) => (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf)
const isEmojiMark = (cp: number) => cp === 0xfe0f || (cp >= 0x1f3fb && cp <= 0x1f3ff)
const BLACK_FLAG = 0x1f3f4
const isTag = (cp: number) => cp >= 0xe0020 && cp <= 0xe007f

/** A zero-width joiner between two emoji: a picture (maybe with VS16 or a skin tone) before, a picture after. */
function joinsEmoji(cps: number[], i: number): boolean {
  const before = isEmojiMark(cps[i - 1] ?? 0) ? cps[i - 2] : cps[i - 1]
  return isPicture(before ?? 0) && isPicture(cps[i + 1] ?? 0)
}

/** Whether any character is hidden, outside an emoji's joiners and a subdivision flag's tags. */
function holdsHidden(text: string): boolean {
  const cps = Array.from(text, (c) => c.codePointAt(0) ?? 0)
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!
    if (cp === BLACK_FLAG) {
      let j = i + 1
      while (j < cps.length && isTag(cps[j]!) && cps[j] !== 0xe007f) j++
      if (j > i + 1 && cps[j] === 0xe007f) i = j // black flag, tag letters, cancel tag: a flag
      continue
    }
    if (cp === ZWJ && joinsEmoji(cps, i)) continue
    if (isHidden(cp)) return true
  }
  return false
}

/** What is wrong with a display name or status text, or undefined when it may be set. Never throws. */
export function profileTextProblem(text: string, max: number): ProfileTextProblem | 'profile_not_nfc' | undefined {
  if (text.length > max * 2) return 'profile_too_long' // cheap bound before any scan
  if (text.normalize('NFC') !== text) return 'profile_not_nfc'
  if ([...text].length > max) return 'profile_too_long'
  return holdsHidden(text) ? 'profile_hidden_characters' : undefined
}

export const displayNameProblem = (text: string) => profileTextProblem(text, DISPLAY_NAME_MAX)
export const statusProblem = (text: string) => profileTextProblem(text, STATUS_MAX)

/**
 * The username a display name could be read as: without case, "@" or spaces around, after
 * NFKC. The rule book refuses it when it names another account.
 */
export function nameItPassesFor(displayName: string): string {
  return displayName.normalize('NFKC').trim().replace(/^@/, '').trim().toLowerCase()
}

/** A person's profile as the API gives it: only what they set. */
export interface PersonProfile {
  displayName?: string
  status?: string
  statusEmoji?: string
}
