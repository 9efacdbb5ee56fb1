/**
 * The people directory's rules (issue 17): the daemon's answer read defensively, the filter,
 * and what the chosen people make (one: a direct conversation; 2–7: a group one).
 */
import t from 'tap'
import { filterPeople, MAX_OTHERS, parsePeople, startChoice } from '../../../web-ui/src/rooms/people-model.js'

t.test('the answer: names only, never me, null when not the shape', async (t) => {
  t.same(parsePeople({ people: [{ username: 'alice' }, { username: 'bob' }], more: false }, 'alice'), { names: ['bob'], more: false })
  t.same(parsePeople({ people: [{ username: 'bob' }, null, 7, { username: 3 }, {}], more: true }, 'alice'), { names: ['bob'], more: true })
  for (const bad of [null, 'x', {}, { people: 'bob' }]) t.equal(parsePeople(bad, 'alice'), null)
})

t.test('the filter: any case, anywhere in the name, in the directory order', async (t) => {
  const names = ['Alice', 'bob', 'carol', 'caroline']
  t.same(filterPeople(names, ''), names)
  t.same(filterPeople(names, ' CAR '), ['carol', 'caroline'])
  t.same(filterPeople(names, 'li'), ['Alice', 'caroline'])
  t.same(filterPeople(names, 'zz'), [])
})

t.test('what the chosen make', async (t) => {
  t.same(startChoice([]), { ok: false, reason: 'Choose someone to message (Space ticks a name).' })
  t.same(startChoice(['bob']), { ok: true, label: 'Message bob' })
  t.same(startChoice(['bob', 'carol']), { ok: true, label: 'Start a conversation with 2 people' })
  t.equal(startChoice(Array.from({ length: MAX_OTHERS }, (_, i) => `p${i}`)).ok, true, 'seven others: eight people, the most')
  t.same(startChoice(Array.from({ length: MAX_OTHERS + 2 }, (_, i) => `p${i}`)), {
    ok: false,
    reason: 'A conversation has at most 8 people: untick 2.',
  })
})
