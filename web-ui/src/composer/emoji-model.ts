/**
 * Every emoji, as the page reads them from emoji.json (made at build time from emojibase-data
 * by scripts/emoji-data.mjs, fetched on first use by emoji-data.ts). The file is read
 * defensively: a row that is not what it should be is left out, a file that is not the data
 * at all gives null, and nothing here throws. Also: shortcodes (`:thumbs_up:` → 👍), skin
 * tones, and the names screen readers say for an emoji.
 */

export interface Emoji {
  char: string
  /** The CLDR short name, lower case: what a screen reader says for the button. */
  name: string
  /** Index into EmojiSet.groups. */
  group: number
  /** Shortcodes without colons, GitHub's and Slack's first, the one made from the name last. */
  codes: readonly string[]
  keywords: readonly string[]
  /** The five skin-tone forms, light to dark, when the emoji has them. */
  skins?: readonly string[]
}

export interface EmojiSet {
  emoji: readonly Emoji[]
  groups: readonly string[]
  byCode: ReadonlyMap<string, Emoji>
  /** Every form, skin tones included, to its emoji. */
  byChar: ReadonlyMap<string, Emoji>
}

/** Tone 0 is the emoji as drawn without one; 1 to 5 light to dark (Fitzpatrick 1-2 to 6). */
export const SKIN_TONES = ['default', 'light', 'medium-light', 'medium', 'medium-dark', 'dark'] as const
export type SkinTone = 0 | 1 | 2 | 3 | 4 | 5

const MAX_FIELD = 512

/** "thumbs up" → "thumbs_up": the CLDR name as a shortcode (what the old list offered). */
export function nameCode(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD ? v : null
}

function words(v: unknown): string[] {
  return typeof v === 'string' && v.length <= MAX_FIELD ? v.split(' ').filter(Boolean) : []
}

function parseRow(row: unknown, groups: number): Emoji | null {
  if (!Array.isArray(row)) return null
  const [char, name, group, codes, keywords, skins] = row as unknown[]
  const c = text(char)
  const n = text(name)
  if (!c || !n || typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group >= groups) return null
  const own = nameCode(n)
  const emoji: Emoji = { char: c, name: n, group, codes: [...words(codes).map((w) => w.toLowerCase()), own], keywords: words(keywords) }
  if (Array.isArray(skins) && skins.length === 5 && skins.every((s) => text(s))) emoji.skins = skins as string[]
  return emoji
}

/** emoji.json's content as the page uses it, or null when it is not emoji data. */
export function parseEmojiData(json: unknown): EmojiSet | null {
  if (typeof json !== 'object' || json === null) return null
  const { version, groups, emoji } = json as Record<string, unknown>
  if (version !== 1 || !Array.isArray(groups) || !Array.isArray(emoji)) return null
  const groupNames = groups.map((g) => text(g) ?? '?')
  const list = emoji.map((row) => parseRow(row, groupNames.length)).filter((e): e is Emoji => e !== null)
  if (list.length === 0) return null
  const byCode = new Map<string, Emoji>()
  const byChar = new Map<string, Emoji>()
  for (const e of list) {
    // The first emoji to claim a code keeps it (data order is Unicode's order).
    for (const code of e.codes) if (!byCode.has(code)) byCode.set(code, e)
    for (const form of [e.char, ...(e.skins ?? [])]) if (!byChar.has(form)) byChar.set(form, e)
  }
  return { emoji: list, groups: groupNames, byCode, byChar }
}

/** The emoji a shortcode names (`+1`, `thumbsup`, `thumbs_up`, any case), or undefined. */
export function emojiForCode(set: EmojiSet, code: string): Emoji | undefined {
  return set.byCode.get(code.toLowerCase())
}

/** The form to insert for the chosen tone (the emoji itself when it has no tones). */
export function toned(emoji: Emoji, tone: SkinTone): string {
  return tone === 0 ? emoji.char : (emoji.skins?.[tone - 1] ?? emoji.char)
}

/**
 * Every complete `:shortcode:` in `text` that names an emoji becomes it; unknown ones stay as
 * typed. Not after a letter or digit ("10:30:45"), and not inside `code` or ``` blocks, where
 * people write colons on purpose. Linear in the text: a 16 KiB run of colons is one pass.
 */
export function replaceShortcodes(input: string, set: EmojiSet, tone: SkinTone = 0): string {
  return input
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/(?<![\p{L}\p{N}]):([a-z0-9_+-]{1,64}):/giu, (whole, code: string) => {
            const emoji = emojiForCode(set, code)
            return emoji ? toned(emoji, tone) : whole
          }),
    )
    .join('')
}

/** Names known before emoji.json is loaded: the quick reactions every message offers. */
const names = new Map<string, string>([
  ['👍', 'thumbs up'],
  ['❤️', 'red heart'],
  ['😂', 'face with tears of joy'],
  ['🎉', 'party popper'],
  ['😮', 'face with open mouth'],
  ['👀', 'eyes'],
])

/** Once loaded, every emoji (and skin tone: "thumbs up: dark skin tone") has its name. */
export function rememberNames(set: EmojiSet): void {
  for (const e of set.emoji) {
    names.set(e.char, e.name)
    e.skins?.forEach((s, i) => {
      names.set(s, `${e.name}: ${SKIN_TONES[i + 1]} skin tone`)
    })
  }
}

/** What a screen reader should say for an emoji; undefined before the data knows it. */
export function emojiNameOf(char: string): string | undefined {
  return names.get(char)
}
