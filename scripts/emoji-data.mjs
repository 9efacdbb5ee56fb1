/**
 * The page's emoji data (dist/web-ui/emoji.json), made at build time from emojibase-data
 * (English CLDR names and keywords, and the shortcodes people type on GitHub, in Slack
 * (iamcal) and emojibase's own). The page fetches it on first use of the picker or of `:`
 * completion, so app.js does not carry it. Only what the page uses is kept, as arrays:
 *
 *   { version: 1, groups: [name…], emoji: [[char, name, group, "codes", "keywords", skins?]…] }
 *
 * `codes` and `keywords` are space-separated; the code made from the name ("thumbs up" →
 * thumbs_up) is left out, the page makes it. `skins` is the five skin-tone forms, light to
 * dark (for several people, the form where all share the tone).
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const data = (file) => require(`emojibase-data/en/${file}`)

/**
 * Newer emoji are left out: Debian 12's Noto Color Emoji (2.042) and the systems people run
 * today draw Emoji 15.1; an Emoji 16 or 17 picture would show as an empty box.
 */
export const MAX_EMOJI_VERSION = 15.1
const COMPONENT_GROUP = 2
const MODIFIERS = ['1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF']

/**
 * Emojibase writes U+FE0F after every emoji that also has a text form (👍️); people, pasted
 * text and earlier reactions carry it only where Unicode's fully-qualified form has it (❤️,
 * not 👍). The same emoji must be the same string, or one reaction would make two chips.
 */
export function fullyQualified(unicode) {
  return unicode.replace(/(\p{Emoji_Presentation})\uFE0F/gu, '$1')
}

/** "thumbs up" → "thumbs_up", as the page makes it (emoji-model.ts nameCode). */
function nameCode(label) {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
}

/** The five tones, light to dark, or undefined when not all five are there. */
function skinsOf(entry) {
  const byTone = new Map()
  for (const skin of entry.skins ?? []) {
    const tones = new Set(skin.hexcode.split('-').filter((c) => MODIFIERS.includes(c)))
    if (tones.size !== 1) continue
    const tone = [...tones][0]
    if (!byTone.has(tone)) byTone.set(tone, fullyQualified(skin.unicode))
  }
  return byTone.size === MODIFIERS.length ? MODIFIERS.map((m) => byTone.get(m)) : undefined
}

export function buildEmojiData() {
  const compact = data('compact.json')
  const versions = new Map(data('data.json').map((e) => [e.hexcode, e.version]))
  const messages = data('messages.json')
  const codeSets = ['shortcodes/github.json', 'shortcodes/iamcal.json', 'shortcodes/emojibase.json'].map(data)
  const groupNames = messages.groups.filter((g) => g.order !== COMPONENT_GROUP).map((g) => g.message[0].toUpperCase() + g.message.slice(1))
  const groupIndex = (group) => (group > COMPONENT_GROUP ? group - 1 : group)
  const rows = compact
    .filter((e) => e.group !== undefined && e.group !== COMPONENT_GROUP && (versions.get(e.hexcode) ?? 0) <= MAX_EMOJI_VERSION)
    .sort((a, b) => a.order - b.order)
    .map((e) => {
      const own = nameCode(e.label)
      const codes = [...new Set(codeSets.flatMap((set) => [set[e.hexcode] ?? []].flat()))].filter((c) => c !== own)
      const words = new Set([...e.label.toLowerCase().split(/[^a-z0-9]+/), ...codes])
      const keywords = [...new Set((e.tags ?? []).map((t) => t.toLowerCase()))].filter((t) => !words.has(t))
      const row = [fullyQualified(e.unicode), e.label, groupIndex(e.group), codes.join(' '), keywords.join(' ')]
      const skins = skinsOf(e)
      return skins ? [...row, skins] : row
    })
  return { version: 1, source: `emojibase-data ${require('emojibase-data/package.json').version}`, groups: groupNames, emoji: rows }
}
