/**
 * Every emoji: the data the build gives the page (scripts/emoji-data.mjs), read as the page
 * reads it; shortcodes people type on GitHub and in Slack; search ranking; skin tones; what
 * the picker remembers; which emoji may be reactions; and the bad input (unknown codes, a
 * 16 KiB run of colons, a damaged file).
 */
import t from 'tap'
import { Reaction } from '../../../shared/entries.js'
import { buildEmojiData, fullyQualified, MAX_EMOJI_VERSION } from '../../../scripts/emoji-data.mjs'
import {
  emojiForCode,
  emojiNameOf,
  parseEmojiData,
  rememberNames,
  replaceShortcodes,
  toned,
  type EmojiSet,
} from '../../../web-ui/src/composer/emoji-model.js'
import { MAX_RECENT, parseRecents, parseTone, used } from '../../../web-ui/src/composer/emoji-recents-model.js'
import { completeShortcode, searchEmoji } from '../../../web-ui/src/composer/emoji-search-model.js'
import { canReact } from '../../../web-ui/src/timeline/reaction-picker.js'

const data = buildEmojiData()
const set = parseEmojiData(JSON.parse(JSON.stringify(data))) as EmojiSet
const char = (code: string) => emojiForCode(set, code)?.char

/** The 62 of the hand-typed list this replaces: every one must still be there, the same string. */
const OLD_LIST =
  '😀 😄 😂 🙂 😉 😊 😍 😘 😎 🤔 😐 🙄 😴 😅 😬 😮 😢 😭 😡 🤯 🥳 🤗 🤫 🤒 👋 👍 👎 👏 🙌 🙏 🤝 ✌️ 👌 💪 👀 🧠 ❤️ 💔 ✨ 🔥 ⭐ 🎉 🎂 🎁 ☕ 🍕 🍺 🍎 ☀️ 🌧️ 🌈 💡 💻 📎 📌 ⏰ 🚀 🐛 ✅ ❌ ❓ 💯'.split(
    ' ',
  )

t.test('the data file the build writes: its shape, and read by the page in full', async (t) => {
  t.equal(data.version, 1)
  t.match(data.source, /^emojibase-data 17\./)
  t.equal(data.groups.length, 9, 'nine groups (components left out)')
  t.equal(data.groups[0], 'Smileys & emotion', 'named as headings are written')
  t.ok(data.emoji.length > 1850, `every emoji up to Emoji ${MAX_EMOJI_VERSION} (${data.emoji.length})`)
  for (const row of data.emoji) {
    const [c, name, group, codes, keywords, skins] = row
    if (typeof c !== 'string' || typeof name !== 'string' || !Number.isInteger(group) || group < 0 || group >= 9)
      t.fail(`bad row ${JSON.stringify(row)}`)
    if (typeof codes !== 'string' || typeof keywords !== 'string') t.fail(`codes and keywords are strings: ${name}`)
    if (skins !== undefined && (skins.length !== 5 || new Set(skins).size !== 5)) t.fail(`five distinct tones: ${name}`)
    if (/^\p{Regional_Indicator}$/u.test(c)) t.fail(`no lone regional indicator: ${name}`)
  }
  t.equal(set.emoji.length, data.emoji.length, 'the page keeps every row')
  t.equal(new Set(set.emoji.map((e) => e.char)).size, set.emoji.length, 'no emoji twice')
  t.ok(set.emoji.filter((e) => e.skins).length > 280, 'skin tones for the people and hands')
  for (const c of OLD_LIST) t.ok(set.byChar.has(c), `${c} from the old list is there, as the same string`)
  t.notOk(set.byChar.has('🫩'), 'Emoji 16 is left out: the fonts in use draw empty boxes for it')
})

t.test('emojibase writes FE0F after 👍; the page does not, as Unicode and people do not', async (t) => {
  t.equal(fullyQualified('👍\uFE0F'), '👍')
  t.equal(fullyQualified('❤\uFE0F'), '❤\uFE0F', 'a text-default heart keeps it')
  t.equal(char('thumbsup'), '👍')
  t.equal(char('heart'), '❤️')
})

t.test('shortcodes from GitHub, Slack (iamcal), emojibase and the CLDR name', async (t) => {
  for (const code of ['+1', 'thumbsup', 'thumbs_up', 'THUMBSUP']) t.equal(char(code), '👍', `:${code}:`)
  t.equal(char('smile'), '😄')
  t.equal(char('tada'), '🎉')
  t.equal(char('party_popper'), '🎉')
  t.equal(char('-1'), '👎')
  t.equal(char('slightly_smiling_face'), '🙂')
  t.equal(char('flag-fr') ?? char('fr'), '🇫🇷')
  t.equal(char('nope'), undefined, 'an unknown code names nothing')
  t.equal(char(''), undefined)
})

t.test('a fully typed shortcode becomes the emoji; anything else stays as typed', async (t) => {
  t.equal(replaceShortcodes('well done :tada: :thumbs_up:!', set), 'well done 🎉 👍!')
  t.equal(replaceShortcodes(':+1::smile:', set), '👍😄', 'one after another')
  t.equal(replaceShortcodes('say :nope: please', set), 'say :nope: please', 'unknown: left alone, no error')
  t.equal(replaceShortcodes('at 10:30:45', set), 'at 10:30:45', 'not after a digit')
  t.equal(replaceShortcodes('see `:tada:` and\n```\n:tada:\n```', set), 'see `:tada:` and\n```\n:tada:\n```', 'code stays code')
  t.equal(replaceShortcodes(':wave:', set, 5), '👋🏿', 'with the chosen skin tone')
  t.equal(replaceShortcodes(':tada:', set, 5), '🎉', 'an emoji without tones ignores it')
  const colons = ':'.repeat(16 * 1024)
  t.equal(replaceShortcodes(colons, set), colons, 'a 16 KiB run of colons comes back unchanged')
  const codes = ':zq'.repeat(6 * 1024)
  t.equal(replaceShortcodes(codes, set), codes, 'nor does 18 KiB of :zq:zq…')
  t.equal(replaceShortcodes(':a:a:', set), '🅰️a:', ":a: is GitHub's 🅰️; the next one lacks its first colon")
})

t.test('completion: `:smi` offers codes that start with it, shortest first', async (t) => {
  const codes = (q: string, recent: string[] = []) => completeShortcode(set, q, { recent, limit: 8 }).map((m) => m.code)
  t.same(codes('smi').slice(0, 2), ['smile', 'smirk'])
  t.equal(completeShortcode(set, 'smi', { limit: 8 }).length, 8)
  t.equal(completeShortcode(set, '+1')[0]?.emoji.char, '👍', ':+1')
  t.equal(completeShortcode(set, 'thumbsup')[0]?.emoji.char, '👍', ':thumbsup')
  t.equal(completeShortcode(set, 'tada')[0]?.emoji.char, '🎉', ':tada')
  t.equal(completeShortcode(set, 'thumbs_u')[0]?.emoji.char, '👍', ':thumbs_u')
  t.ok(codes('popper').includes('party_popper'), 'a word inside a code matches too')
  t.equal(codes('smi', ['😏'])[0], 'smirk', 'recently used first among equals')
  t.same(completeShortcode(set, 'zzzzq'), [])
  t.same(completeShortcode(set, ''), [])
})

t.test('search: by name, shortcode and keyword, best match first', async (t) => {
  const first = (q: string) => searchEmoji(set, q, { limit: 5 }).map((e) => e.char)
  t.equal(first('red heart')[0], '❤️', 'a whole name first')
  t.equal(first('heart')[0], '❤️', 'the code :heart: before names with the word')
  t.equal(first('tada')[0], '🎉', 'by shortcode')
  t.equal(first('thumbs')[0], '👍')
  t.ok(
    searchEmoji(set, 'celebration', { limit: 20 }).some((e) => e.char === '🎉'),
    'by keyword',
  )
  t.equal(first('party popper')[0], '🎉', 'every word must fit')
  t.same(searchEmoji(set, 'popper pizza'), [], 'a word that fits nothing: none')
  t.same(searchEmoji(set, '   '), [], 'an empty search finds nothing (the picker shows the groups)')
  t.equal(searchEmoji(set, 'heart', { recent: ['💔'] })[0]?.char, '❤️', 'recents do not beat a better match')
  t.equal(searchEmoji(set, 'face', { limit: 3 }).length, 3)
  t.ok(
    searchEmoji(set, 'keycap').some((e) => e.char === '#️⃣'),
    'keycaps are found in the picker',
  )
  const reactions = searchEmoji(set, 'keycap', { allow: canReact }).map((e) => e.char)
  t.same(reactions, ['🔟'], 'but as reactions only 🔟, a picture (the daemon refuses #️⃣, a sign)')
})

t.test('skin tones', async (t) => {
  const wave = emojiForCode(set, 'wave')!
  t.same(
    [0, 1, 2, 3, 4, 5].map((tone) => toned(wave, tone as 0)),
    ['👋', '👋🏻', '👋🏼', '👋🏽', '👋🏾', '👋🏿'],
  )
  const handshake = emojiForCode(set, 'handshake')!
  t.equal(toned(handshake, 3), '🤝🏽', 'several people: all the same tone')
  t.equal(set.byChar.get('👍🏾')?.char, '👍', 'a toned form finds its emoji (recents, names)')
  t.equal(parseTone('3'), 3)
  for (const raw of [null, '', '6', '-1', '1.5', 'dark']) t.equal(parseTone(raw), 0, `tone from ${JSON.stringify(raw)}`)
})

t.test('recently used: newest first, once each, at most 24, storage not trusted', async (t) => {
  t.same(used(['😀', '🎉'], '🎉'), ['🎉', '😀'])
  const many = Array.from({ length: 30 }, (_, i) => String.fromCodePoint(0x1f600 + i))
  t.equal(many.reduce<string[]>((r, c) => used(r, c), []).length, MAX_RECENT)
  t.same(parseRecents(JSON.stringify(['🎉', '🎉', 5, '', 'x'.repeat(40), '👍'])), ['🎉', '👍'])
  for (const raw of [null, '', '{', '{"a":1}', '"🎉"', 'x'.repeat(100_000)])
    t.same(parseRecents(raw), [], `from ${String(raw).slice(0, 12)}`)
})

t.test('names for screen readers: the quick set at once, every emoji once loaded', async (t) => {
  t.equal(emojiNameOf('👍'), 'thumbs up')
  t.equal(emojiNameOf('🦩'), undefined, 'not before the data is loaded')
  rememberNames(set)
  t.equal(emojiNameOf('🦩'), 'flamingo')
  t.equal(emojiNameOf('👍🏽'), 'thumbs up: medium skin tone')
})

t.test('reactions: every emoji the picker offers is one the daemon takes, and only keycaps are left out', async (t) => {
  let offered = 0
  for (const e of set.emoji) {
    for (const form of [e.char, ...(e.skins ?? [])]) {
      const accepted = Reaction.safeParse(form).success
      if (canReact({ char: form }) !== accepted) t.fail(`${form} ${e.name}: picker ${canReact({ char: form })}, daemon ${accepted}`)
      if (accepted) offered++
    }
  }
  t.ok(offered > 3500, `${offered} emoji and tones can be reactions`)
})

t.test('a damaged emoji.json is refused whole or row by row, never thrown', async (t) => {
  for (const bad of [null, 'x', [], {}, { version: 2, groups: [], emoji: [] }, { version: 1, groups: ['a'], emoji: [] }]) {
    t.equal(parseEmojiData(bad), null, `refused: ${JSON.stringify(bad)}`)
  }
  const odd = parseEmojiData({
    version: 1,
    groups: ['smileys'],
    emoji: [['😀', 'grinning face', 0, 'grinning', 'smile'], ['😃', 'x', 7, '', ''], 'row', [1, 2, 3], ['😄', 'ok', 0, 5, null, ['a']]],
  })
  t.same(
    odd?.emoji.map((e) => e.char),
    ['😀', '😄'],
    'bad rows are left out',
  )
  t.same(odd?.emoji[1]?.codes, ['ok'], 'odd fields give nothing, not an error')
})
