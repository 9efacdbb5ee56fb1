/**
 * What the composer offers while someone types: emoji by `:short_code` (never for "10:30" or
 * ":)"), people by `@name`; and which emoji a picker search keeps.
 */
import t from 'tap'
import {
  MAX_CANDIDATES,
  emojiCandidates,
  emojiMatchesSearch,
  nameCandidates,
  shortcode,
  triggerAt,
} from '../../../web-ui/src/composer/completion-model.js'
import { EMOJI } from '../../../web-ui/src/composer/emoji-model.js'

t.test('a list opens after :xx or @, at the start or after a space', async (t) => {
  t.same(triggerAt('great :thu', 10), { kind: 'emoji', query: 'thu', start: 6 })
  t.same(triggerAt('@', 1), { kind: 'mention', query: '', start: 0 })
  t.same(triggerAt('hi @al and more', 6), { kind: 'mention', query: 'al', start: 3 }, 'at the caret, not the end of the text')
  t.equal(triggerAt('at 10:30', 8), null, 'a time is not a short code')
  t.equal(triggerAt('smile :)', 8), null, 'nor is a smiley')
  t.equal(triggerAt('mail bob@lab', 12), null, 'an @ inside a word is not a mention')
  t.equal(triggerAt('x :t', 4), null, 'one letter is too few for emoji')
  t.equal(triggerAt('done @bob ', 10), null, 'a finished name closes the list')
})

t.test('emoji: codes that start with the query first, at most eight', async (t) => {
  t.equal(shortcode({ char: '😍', name: 'smiling face with heart-eyes' }), 'smiling_face_with_heart_eyes')
  const thumbs = emojiCandidates('thu')
  t.same(
    thumbs.map((c) => c.insert),
    ['👍', '👎'],
  )
  t.equal(thumbs[0]!.label, '👍 :thumbs_up:')
  const heart = emojiCandidates('heart').map((c) => c.insert)
  t.ok(heart.includes('❤️') && heart.includes('💔'), 'a word inside the code matches too')
  t.ok(emojiCandidates('fa').length <= MAX_CANDIDATES)
  t.same(emojiCandidates('zzzz'), [])
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

t.test('picker search: every word starts a word of the name', async (t) => {
  const names = (s: string) => EMOJI.filter((e) => emojiMatchesSearch(e, s)).map((e) => e.name)
  t.same(names('popper'), ['party popper'])
  t.ok(names('party').includes('partying face'))
  t.same(names('red heart'), ['red heart'])
  t.equal(names('').length, EMOJI.length, 'an empty search keeps them all')
})
