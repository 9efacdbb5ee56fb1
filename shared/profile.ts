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

/** Invisible or reordering characters, never allowed (see above). */
const HIDDEN =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/u
/** A zero-width joiner between two emoji (each maybe with VS16 or a skin tone). */
const EMOJI_ZWJ = /(?<=[\u{1f000}-\u{1faff}\u2600-\u27bf][\ufe0f\u{1f3fb}-\u{1f3ff}]?)\u200d(?=[\u{1f000}-\u{1faff}\u2600-\u27bf])/gu
/** A subdivision flag: black flag, tag letters, cancel tag. */
const TAG_FLAG = /\u{1f3f4}[\u{e0020}-\u{e007e}]+\u{e007f}/gu

/** What is wrong with a display name or status text, or undefined when it may be set. Never throws. */
export function profileTextProblem(text: string, max: number): ProfileTextProblem | 'profile_not_nfc' | undefined {
  if (text.length > max * 2) return 'profile_too_long' // cheap bound before any scan
  if (text.normalize('NFC') !== text) return 'profile_not_nfc'
  if ([...text].length > max) return 'profile_too_long'
  const visible = text.replace(TAG_FLAG, '\u{1f3f4}').replace(EMOJI_ZWJ, '')
  return HIDDEN.test(visible) ? 'profile_hidden_characters' : undefined
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
