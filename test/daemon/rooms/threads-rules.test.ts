/**
 * The rule book on replies, threads and pins (daemon/rooms/rules.ts): what the relay refuses
 * when a daemon (not the local API, which checks first) submits it anyway — with the stable
 * codes the REST API uses.
 */
import { join } from 'node:path'
import t from 'tap'
import { check } from '../../../daemon/rooms/index.js'
import { Store } from '../../../daemon/store/index.js'
import { MAX_PINS_PER_ROOM, type Entry, type EntryBody, type PasswordHash } from '../../../shared/index.js'

const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const ROOM = 'r-abcdefghijkl'
const OTHER = 'r-mnopqrstuvwx'

t.test('replies, threads and pins against the rule book', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  let seq = 0
  const add = (...bodies: EntryBody[]) =>
    store.append(bodies.map((body): Entry => ({ id: `entry-${++seq}-xx`, ts: 5000 + seq, origin: '0123456789abcdef', seq, term: 1, body })))
  const say = (text: string, more: object = {}): EntryBody => ({ type: 'message.posted', room: ROOM, author: 'bob', text, ...more })
  const pin = (target: string, by = 'bob', on = true): EntryBody => ({ type: 'pin.set', room: ROOM, target, by, on })
  await add(
    { type: 'account.created', username: 'alice', password: HASH },
    { type: 'account.created', username: 'bob', password: HASH },
    { type: 'account.created', username: 'carol', password: HASH },
    { type: 'room.created', room: ROOM, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice', 'bob'] },
    { type: 'room.created', room: OTHER, kind: 'public', name: 'other', topic: '', creator: 'alice', members: ['alice'] },
    say('root'), // 6
    { type: 'message.posted', room: OTHER, author: 'alice', text: 'elsewhere' }, // 7
    say('in a thread', { thread: 'entry-6-xx' }), // 8
    say('gone'), // 9
    { type: 'message.deleted', room: ROOM, target: 'entry-9-xx', author: 'bob' },
  )
  const q = store.views.q
  const verdict = (body: EntryBody) => check(body, q, store.log.head)
  t.match(await verdict(say('ok', { replyTo: 'entry-6-xx' })), { ok: true }, 'a reply in the same room')
  t.match(await verdict(say('ok', { thread: 'entry-6-xx', alsoInRoom: true })), { ok: true }, 'a thread reply sent to the room too')
  t.match(await verdict(say('x', { replyTo: 'entry-7-xx' })), { ok: false, code: 'unknown_reply_target' }, "another room's message")
  t.match(
    await verdict(say('x', { thread: 'nothing-at-all' })),
    { ok: false, code: 'unknown_reply_target' },
    'a message that does not exist',
  )
  t.match(await verdict(say('x', { replyTo: 'entry-9-xx' })), { ok: false, code: 'message_deleted' }, 'a deleted message')
  t.match(await verdict(say('x', { thread: 'entry-8-xx' })), { ok: false, code: 'invalid_thread' }, 'a thread on a thread reply')
  t.match(await verdict(say('x', { alsoInRoom: true })), { ok: false, code: 'invalid_thread' }, '"also to the room" without a thread')
  t.match(
    await verdict({ type: 'message.posted', room: OTHER, author: 'bob', text: 'x', thread: 'entry-7-xx' }),
    { ok: false, code: 'not_a_member' },
    'a thread in a room one is not in (left, or never joined)',
  )

  t.match(await verdict(pin('entry-6-xx')), { ok: true }, 'a member pins')
  t.match(await verdict(pin('entry-7-xx')), { ok: false, code: 'unknown_message' }, "a pin of another room's message")
  t.match(await verdict(pin('nothing-at-all')), { ok: false, code: 'unknown_message' }, 'a pin of nothing')
  t.match(await verdict(pin('entry-9-xx')), { ok: false, code: 'message_deleted' }, 'a pin of a deleted message')
  t.match(await verdict(pin('entry-6-xx', 'carol')), { ok: false, code: 'not_a_member' }, 'a pin by a non-member')

  // Fill the room to the limit: one more pin is refused, an unpin is not.
  const fill: EntryBody[] = []
  for (let i = 0; i < MAX_PINS_PER_ROOM; i++) fill.push(say(`pin me ${i}`))
  await add(...fill)
  const first = seq - MAX_PINS_PER_ROOM + 1
  await add(...Array.from({ length: MAX_PINS_PER_ROOM }, (_, i) => pin(`entry-${first + i}-xx`)))
  t.equal((await q.room(ROOM))?.pins, MAX_PINS_PER_ROOM, `${MAX_PINS_PER_ROOM} pinned`)
  t.match(await verdict(pin('entry-6-xx')), { ok: false, code: 'too_many_pins' }, 'one more is refused')
  t.match(await verdict(pin(`entry-${first}-xx`, 'bob', false)), { ok: true }, 'unpinning one is not')
})
