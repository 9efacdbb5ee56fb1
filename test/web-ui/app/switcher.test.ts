/**
 * The quick switcher's choices (issue 17, Ctrl+K): ranking, people beside conversations,
 * and the arrow keys.
 */
import t from 'tap'
import type { RoomSummary } from '../../../shared/index.js'
import {
  conversationChoices,
  directPartners,
  MAX_CHOICES,
  matchChoices,
  moveActive,
  peopleChoices,
  searchChoice,
  type SwitchChoice,
} from '../../../web-ui/src/app/switcher-model.js'
import { roomSummary } from '../lib/rooms.js'

/** Unnamed unless named: a direct conversation's label comes from its members. */
const room = (over: Partial<RoomSummary> & Pick<RoomSummary, 'id'>): RoomSummary => roomSummary({ name: '', ...over })

const rooms = [
  room({ id: 'general', name: 'general' }),
  room({ id: 'r-design', name: 'design', unread: 3 }),
  room({ id: 'r-dev', name: 'dev-ops', kind: 'private' }),
  room({ id: 'd-bob', kind: 'direct', members: ['alice', 'bob'], lastSeq: 9 }),
  room({ id: 'd-grp', kind: 'direct', members: ['alice', 'bob', 'carol'], lastSeq: 4 }),
  room({ id: 'r-left', name: 'left-room', joined: false }),
]

t.test('conversations in the sidebar order, with words for each', async (t) => {
  const choices = conversationChoices(rooms, 'alice')
  t.same(
    choices.map((c) => c.label),
    ['#general', '#design', '#dev-ops', 'bob', 'bob, carol'],
    'rooms (general first, then by name) then direct ones by activity; a room not joined is not offered',
  )
  t.equal(choices[1]?.detail, 'room, 3 unread')
  t.equal(choices[2]?.detail, 'private room')
  t.equal(choices[3]?.detail, 'direct conversation')
})

t.test('people: without me, without duplicates, without those I have a one-to-one with', async (t) => {
  const direct = directPartners(rooms, 'alice')
  t.same([...direct], ['bob'], 'a group conversation is not a one-to-one')
  const people = peopleChoices(['carol', 'alice', 'bob', 'Carol', 'dave'], 'alice', direct, new Set(['dave']))
  t.same(
    people.map((p) => [p.label, p.detail]),
    [
      ['carol', 'start a conversation'],
      ['dave', 'online, start a conversation'],
    ],
  )
})

t.test('ranking: starts with, then a word starts with, then contains; unread first within', async (t) => {
  const all: SwitchChoice[] = [...conversationChoices(rooms, 'alice'), ...peopleChoices(['devon', 'opal'], 'alice', new Set(), new Set())]
  const labels = (q: string) => matchChoices(all, q).map((c) => c.label)
  t.same(labels('de'), ['#design', '#dev-ops', 'devon'], 'unread #design first among the names that start with it')
  t.same(labels('#de'), labels('de'), 'a typed # is ignored')
  t.same(labels('ops'), ['#dev-ops'], 'a word inside the name')
  t.same(labels('op'), ['opal', '#dev-ops'], 'a name that starts with it before a word that does')
  t.same(labels('CAR'), ['bob, carol'], 'case does not matter')
  t.same(labels('sign'), ['#design'], 'contained')
  t.same(labels('zzz'), [])
  t.equal(labels('').length, Math.min(all.length, MAX_CHOICES), 'nothing typed: the first ones')
  t.equal(labels('')[0], '#design', 'nothing typed: unread first')
})

t.test('searching the messages is offered once something is typed', async (t) => {
  t.equal(searchChoice('  '), null)
  t.same(searchChoice(' quok from:bob '), {
    kind: 'search',
    target: 'quok from:bob',
    label: 'Search messages for “quok from:bob”',
    detail: '',
    unread: 0,
  })
})

t.test('arrows wrap; other keys are not the list’s', async (t) => {
  t.equal(moveActive('ArrowDown', 0, 3), 1)
  t.equal(moveActive('ArrowDown', 2, 3), 0)
  t.equal(moveActive('ArrowUp', 0, 3), 2)
  t.equal(moveActive('Home', 2, 3), 0)
  t.equal(moveActive('End', 0, 3), 2)
  t.equal(moveActive('a', 0, 3), null)
  t.equal(moveActive('ArrowDown', 0, 0), null, 'an empty list')
})
