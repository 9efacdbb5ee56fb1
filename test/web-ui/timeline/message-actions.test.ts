/**
 * Reactions and editing without a browser: a toggle's effect on the reactions shown at once,
 * what a chip says and to whom, which message Up picks, and what Enter does while editing.
 */
import t from 'tap'
import type { Message } from '../../../shared/index.js'
import { beginEdit, EDITING_HINT, lastEditable, saveAction } from '../../../web-ui/src/composer/editing-model.js'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import { chipLabel, emojiName, QUICK_REACTIONS, reactedBy, toggled, whoReacted } from '../../../web-ui/src/timeline/reactions-model.js'

t.test('toggling a reaction', async (t) => {
  const start = [
    { emoji: '👍', users: ['bob'] },
    { emoji: '🎉', users: ['alice'] },
  ]
  t.same(
    toggled(start, '👍', 'alice', true),
    [
      { emoji: '👍', users: ['bob', 'alice'] },
      { emoji: '🎉', users: ['alice'] },
    ],
    'added to its chip, order kept',
  )
  t.same(toggled(start, '🎉', 'alice', false), [{ emoji: '👍', users: ['bob'] }], 'the last one taken back: the chip goes')
  t.same(toggled(start, '👀', 'alice', true), [...start, { emoji: '👀', users: ['alice'] }], 'a new one goes last')
  t.same(toggled(start, '👍', 'alice', false), start, 'taking back what I never gave changes nothing')
  t.same(toggled(start, '👍', 'BOB', true), [{ emoji: '👍', users: ['BOB'] }, start[1]], 'never twice for one person, whatever the case')
  t.same(toggled([], '👍', 'alice', false), [])
})

t.test('what a chip says', async (t) => {
  const r = { emoji: '👍', users: ['carol', 'alice', 'bob'] }
  t.ok(reactedBy(r, 'Alice'))
  t.notOk(reactedBy(r, 'dave'))
  t.notOk(reactedBy(r, null))
  t.equal(whoReacted(r.users, 'alice'), 'you, bob and carol', 'me first, then by name')
  t.equal(whoReacted(['bob'], 'alice'), 'bob')
  t.equal(whoReacted(['bob', 'carol'], null), 'bob and carol')
  t.equal(chipLabel(r, 'alice'), '👍 3, thumbs up, from you, bob and carol')
  t.equal(QUICK_REACTIONS.length, 6)
  for (const e of QUICK_REACTIONS) t.not(emojiName(e), e, `${e} has a name a screen reader can say`)
})

const msg = (id: string, author: string, extra: Partial<Message> = {}): Message => ({
  id,
  seq: Number(id.slice(1)),
  room: 'general',
  author,
  text: `text of ${id}`,
  ts: 0,
  ...extra,
})

t.test('Up picks my newest message that is not deleted', async (t) => {
  const list = [msg('m1', 'alice'), msg('m2', 'bob'), msg('m3', 'alice', { deleted: true, text: '' }), msg('m4', 'bob')]
  t.equal(lastEditable(list, 'alice')?.id, 'm1')
  t.equal(lastEditable(list, 'ALICE')?.id, 'm1', 'usernames without case')
  t.equal(lastEditable(list, 'carol'), null, 'nothing of mine: Up does nothing')
  t.equal(lastEditable(list, null), null)
})

t.test('edit mode keeps the draft and saves only a change', async (t) => {
  const mode = beginEdit(msg('m1', 'alice'), 'half-written reply')
  t.same(mode, { id: 'm1', room: 'general', original: 'text of m1', draft: 'half-written reply' })
  t.equal(saveAction(mode, 'text of m1'), 'unchanged')
  t.equal(saveAction(mode, ' text of m1 \n'), 'unchanged', 'spaces around are not a change')
  t.equal(saveAction(mode, 'text of m1, fixed'), 'save')
  t.equal(EDITING_HINT, 'Editing message — Enter to save, Escape to cancel')
})

t.test('the live feed takes edits and room changes in their shape', async (t) => {
  const m = msg('m1', 'alice', { edited: 5, reactions: [{ emoji: '👍', users: ['bob'] }] })
  t.same(parseUiEvent(JSON.stringify({ type: 'updated', message: m })), { type: 'updated', message: m })
  t.same(parseUiEvent('{"type":"rooms"}'), { type: 'rooms' })
  t.equal(
    parseUiEvent(JSON.stringify({ type: 'updated', message: { ...m, reactions: [{ emoji: '👍', users: 'bob' }] } })),
    null,
    'malformed reactions',
  )
  t.equal(parseUiEvent(JSON.stringify({ type: 'updated', message: { ...m, room: 3 } })), null, 'a message says its room')
})
