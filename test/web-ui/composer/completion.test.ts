/**
 * What the composer offers while someone types: emoji by `:short_code` (never for "10:30" or
 * ":)"), people by `@name`. Ranking and search in depth: emoji.test.ts.
 */
import t from 'tap'
import { buildEmojiData } from '../../../scripts/emoji-data.mjs'
import { MAX_CANDIDATES, emojiCandidates, nameCandidates, triggerAt } from '../../../web-ui/src/composer/completion-model.js'
import { nameCode, parseEmojiData, type EmojiSet } from '../../../web-ui/src/composer/emoji-model.js'

const set = parseEmojiData(buildEmojiData()) as EmojiSet

t.test('a list opens after :xx or @, at the start or after a space', async (t) => {
  t.same(triggerAt('great :thu', 10), { kind: 'emoji', query: 'thu', start: 6 })
  t.same(triggerAt('@', 1), { kind: 'mention', query: '', start: 0 })
  t.same(triggerAt('hi @al and more', 6), { kind: 'mention', query: 'al', start: 3 }, 'at the caret, not the end of the text')
  t.equal(triggerAt('at 10:30', 8), null, 'a time is not a short code')
  t.equal(triggerAt('smile :)', 8), null, 'nor is a smiley')
  t.equal(triggerAt('mail bob@lab', 12), null, 'an @ inside a word is not a mention')
  t.equal(triggerAt('x :t', 4), null, 'one letter is too few for emoji')
  t.equal(triggerAt('done @bob ', 10), null, 'a finished name closes the list')
  t.same(triggerAt('ok :+1', 6), { kind: 'emoji', query: '+1', start: 3 }, ':+1 is a code')
  t.equal(triggerAt('ok :tada:', 9), null, 'a finished code closes the list (it becomes the emoji)')
  t.equal(triggerAt(':'.repeat(16 * 1024), 16 * 1024), null, 'a 16 KiB run of colons offers nothing')
})

t.test('emoji: codes that start with the query first, at most eight, with the chosen tone', async (t) => {
  t.equal(nameCode('smiling face with heart-eyes'), 'smiling_face_with_heart_eyes')
  const thumbs = emojiCandidates('thu', set)
  t.same(
    thumbs.slice(0, 2).map((c) => c.insert),
    ['👍', '👎'],
  )
  t.equal(thumbs[0]!.label, '👍 :thumbsup:')
  t.equal(emojiCandidates('smi', set)[0]!.label, '😄 :smile:')
  t.equal(emojiCandidates('+1', set)[0]!.insert, '👍')
  t.equal(emojiCandidates('tada', set)[0]!.insert, '🎉')
  t.equal(emojiCandidates('thumbs_up', set)[0]!.label, '👍 :thumbs_up:')
  t.equal(emojiCandidates('+1', set, { tone: 2 })[0]!.label, '👍🏼 :+1:', 'the skin tone chosen in the picker')
  t.equal(emojiCandidates('heart', set)[0]!.label, '❤️ :heart:')
  const eyes = emojiCandidates('eyes', set).map((c) => c.label)
  t.equal(eyes[0], '👀 :eyes:')
  t.ok(eyes.includes('😍 :heart_eyes:'), 'a word inside the code matches too, after the codes that start with it')
  t.equal(emojiCandidates('fa', set).length, MAX_CANDIDATES)
  t.same(emojiCandidates('zzzz', set), [])
  t.same(emojiCandidates('nope', set), [], 'an unknown code: no list, no error')
})

t.test('names: prefix, any case, sorted, once each', async (t) => {
  t.same(
    nameCandidates('a', ['bob', 'Alice', 'anna', 'alice']).map((c) => c.label),
    ['@alice', '@Alice', '@anna'],
  )
  t.same(
    nameCandidates('', ['bob', 'bob']).map((c) => c.insert),
    ['@bob '],
    'the insert ends with a space',
  )
})
