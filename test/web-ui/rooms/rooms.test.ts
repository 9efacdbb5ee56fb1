/**
 * Conversations without a browser: the sidebar's order and names, the unread badges and the
 * tab title's total, a live message moving them, the `#room=` address, the room list read
 * defensively, the new-room form's name preview and invite list, and who may do what in a
 * room. The DOM side is rooms.browser.test.ts.
 */
import t from 'tap'
import { allowed } from '../../../web-ui/src/rooms/room-header.js'
import { inviteList, namePreview } from '../../../web-ui/src/rooms/room-dialogs.js'
import {
  badgeLabel,
  hashFor,
  noteArrival,
  parseRooms,
  placeholderFor,
  roomFromHash,
  roomLabel,
  sidebarOrder,
  unreadAcross,
} from '../../../web-ui/src/rooms/rooms-model.js'
import { roomSummary } from '../lib/rooms.js'

const room = roomSummary

const general = room({ id: 'general', name: 'general', lastSeq: 50 })
const zebra = room({ id: 'r-zzzzzzzzzzzz', name: 'zebra', lastSeq: 10 })
const alpha = room({ id: 'r-aaaaaaaaaaaa', name: 'alpha', kind: 'private', lastSeq: 5 })
const dmOld = room({ id: 'dm-0000000000000001', kind: 'direct', name: '', members: ['alice', 'bob'], lastSeq: 3 })
const dmNew = room({ id: 'dm-0000000000000002', kind: 'direct', name: '', members: ['alice', 'carol', 'dave'], lastSeq: 40 })

t.test('rooms: general first, then by name; direct messages: most recent first', async (t) => {
  const { rooms, directs } = sidebarOrder(
    [zebra, dmOld, alpha, general, dmNew, room({ id: 'r-notjoined000', name: 'aaa', joined: false })],
    'alice',
  )
  t.same(
    rooms.map((r) => r.name),
    ['general', 'alpha', 'zebra'],
    'a public room not joined is not listed',
  )
  t.same(
    directs.map((r) => r.id),
    [dmNew.id, dmOld.id],
  )
})

t.test('names and placeholders', async (t) => {
  t.equal(roomLabel(general, 'alice'), 'general')
  t.equal(roomLabel(dmNew, 'alice'), 'carol, dave', 'a direct conversation is named after the others')
  t.equal(roomLabel(dmNew, 'Alice'), 'carol, dave', 'without case, as usernames are')
  t.equal(placeholderFor(zebra, 'alice'), 'Message #zebra')
  t.equal(placeholderFor(dmOld, 'alice'), 'Message bob')
})

t.test('badges in words, and the total for the tab title', async (t) => {
  t.equal(badgeLabel({ unread: 0, mentions: 0 }), '')
  t.equal(badgeLabel({ unread: 3, mentions: 0 }), '3 unread')
  t.equal(badgeLabel({ unread: 3, mentions: 1 }), '1 mention, 3 unread')
  t.equal(badgeLabel({ unread: 1200, mentions: 2 }), '2 mentions, 1,200 unread')
  const all = [
    { ...general, unread: 4 },
    { ...zebra, unread: 2 },
    { ...dmOld, unread: 1 },
    room({ id: 'r-notjoined000', unread: 9, joined: false }),
  ]
  t.equal(unreadAcross(all, null), 7, 'every joined room; a previewed one does not count')
  t.equal(unreadAcross(all, { id: 'general', unread: 0 }), 3, 'the room on screen counts what the page counts')
  t.equal(unreadAcross(all, { id: 'r-zzzzzzzzzzzz', unread: 5 }), 10)
})

t.test('a live message moves the sidebar', async (t) => {
  const all = [{ ...general }, { ...zebra }]
  t.ok(noteArrival(all, { room: zebra.id, seq: 11, author: 'bob' }, 'alice', { current: 'general', mentionsMe: false }))
  t.same([all[1]!.unread, all[1]!.mentions, all[1]!.lastSeq], [1, 0, 11], 'one unread in a room not on screen')
  noteArrival(all, { room: zebra.id, seq: 12, author: 'bob' }, 'alice', { current: 'general', mentionsMe: true })
  t.same([all[1]!.unread, all[1]!.mentions], [2, 1], 'a mention counts as both')
  noteArrival(all, { room: zebra.id, seq: 12, author: 'bob' }, 'alice', { current: 'general', mentionsMe: true })
  t.equal(all[1]!.unread, 2, 'the same message twice counts once')
  noteArrival(all, { room: zebra.id, seq: 13, author: 'Alice' }, 'alice', { current: 'general', mentionsMe: false })
  t.same([all[1]!.unread, all[1]!.lastSeq], [2, 13], 'my own message is activity, not unread')
  noteArrival(all, { room: 'general', seq: 60, author: 'bob' }, 'alice', { current: 'general', mentionsMe: false })
  t.same([all[0]!.unread, all[0]!.lastSeq], [0, 60], 'the room on screen is counted by the page, not here')
  t.notOk(
    noteArrival(all, { room: 'dm-00000000000000ff', seq: 61, author: 'bob' }, 'alice', { current: 'general', mentionsMe: false }),
    'a conversation not in the list: fetch the list again',
  )
})

t.test('the #room= address', async (t) => {
  t.equal(roomFromHash('#room=general'), 'general')
  t.equal(roomFromHash(hashFor('r-abcdefghij12')), 'r-abcdefghij12')
  t.equal(roomFromHash('#room=dm-0123456789abcdef'), 'dm-0123456789abcdef')
  t.equal(roomFromHash(''), null)
  t.equal(roomFromHash('#room=../../etc'), null, 'only what a room id can be')
  t.equal(roomFromHash('#room=r-short'), null)
})

t.test('the room list is read defensively', async (t) => {
  t.same(parseRooms({ rooms: [general, { ...zebra, unread: -1 }, { id: 'nope' }, null] }), [general], 'bad entries dropped')
  t.equal(parseRooms({ nope: [] }), null)
  t.equal(parseRooms('rooms'), null)
})

t.test('the new-room form', async (t) => {
  t.equal(namePreview('Project X'), 'The room will be called #project-x.')
  t.equal(namePreview('  '), '')
  t.match(namePreview('!!!'), /Room names are/, 'the rule when it cannot be a name')
  t.same(inviteList('bob, carol  @dave,bob'), ['bob', 'carol', 'dave'])
  t.same(inviteList(''), [])
})

t.test('who may invite, edit and leave', async (t) => {
  t.same(allowed(general), { invite: false, edit: true, leave: false }, 'general: everyone is in it, nobody leaves')
  t.same(allowed(zebra), { invite: true, edit: true, leave: true })
  t.same(allowed(dmOld), { invite: false, edit: false, leave: false }, 'a direct conversation has fixed members')
  t.same(allowed({ ...zebra, joined: false }), { invite: false, edit: false, leave: false }, 'previewing: only Join')
})
