/**
 * What a hostile relay could order that the rule book would have refused changes nothing on a
 * replica (daemon/store/apply.ts), the same way everywhere: mallory's edit or delete of alice's
 * message, a room made again over an existing one, a rename by someone not in the room, mallory
 * joining herself to alice and bob's conversation or to a private room. Each is signed by
 * mallory (she may sign as herself), so only the rules can stop it.
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry, EntryBody } from '../../../shared/index.js'
import { directRoomId } from '../../../daemon/rooms/index.js'
import { Store } from '../../../daemon/store/index.js'

let seq = 0
const entry = (body: EntryBody): Entry => ({
  id: `h-${String(++seq).padStart(6, '0')}`,
  ts: 1000 + seq,
  origin: '0123456789abcdef',
  body,
  seq,
  term: 1,
})
const account = (username: string): EntryBody => ({
  type: 'account.created',
  username,
  password: { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) },
})

t.test('entries the rules would refuse change nothing, on every replica alike', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const dm = directRoomId(['alice', 'bob'])
  const honest = [
    entry(account('alice')),
    entry(account('bob')),
    entry(account('mallory')),
    entry({ type: 'message.posted', room: 'general', author: 'alice', text: 'I vote no' }),
    entry({ type: 'room.created', room: dm, kind: 'direct', topic: '', creator: 'alice', members: ['alice', 'bob'] }),
    entry({
      type: 'room.created',
      room: 'r-aaaaaaaaaaaa',
      kind: 'private',
      name: 'plans',
      topic: 'ours',
      creator: 'alice',
      members: ['alice'],
    }),
  ]
  await store.append(honest)
  const vote = honest[3] as Entry
  const hostile = [
    entry({ type: 'message.edited', room: 'general', target: vote.id, author: 'mallory', text: 'I vote yes' }),
    entry({ type: 'message.deleted', room: 'general', target: vote.id, author: 'mallory' }),
    entry({
      type: 'room.created',
      room: 'r-aaaaaaaaaaaa',
      kind: 'public',
      name: 'open-now',
      topic: '',
      creator: 'mallory',
      members: ['mallory'],
    }),
    entry({ type: 'room.updated', room: 'r-aaaaaaaaaaaa', by: 'mallory', name: 'mallorys', topic: 'mine' }),
    entry({ type: 'room.joined', room: dm, username: 'mallory', by: 'mallory' }),
    entry({ type: 'room.joined', room: 'r-aaaaaaaaaaaa', username: 'mallory', by: 'mallory' }),
    entry({ type: 'room.joined', room: 'r-aaaaaaaaaaaa', username: 'bob', by: 'mallory' }),
  ]
  await store.append(hostile)
  t.equal(store.log.head, honest.length + hostile.length, 'they are in the log (the relay ordered them)')
  const [message] = await store.views.messages('general', 10)
  t.match(message, { author: 'alice', text: 'I vote no' }, "alice's message is as she wrote it")
  t.notOk(message?.edited || message?.deleted, 'neither edited nor deleted')
  t.match(
    await store.views.q.room('r-aaaaaaaaaaaa'),
    { kind: 'private', name: 'plans', topic: 'ours', creator: 'alice' },
    'the private room is not made again, renamed or re-topicked',
  )
  t.same(await store.views.members(dm), ['alice', 'bob'], 'nobody joins a direct conversation')
  t.same(await store.views.members('r-aaaaaaaaaaaa'), ['alice'], 'nor a private room, by themselves or "invited" by a non-member')

  await store.append([entry({ type: 'room.joined', room: 'r-aaaaaaaaaaaa', username: 'bob', by: 'alice' })])
  t.same(await store.views.members('r-aaaaaaaaaaaa'), ['alice', 'bob'], 'a member still invites')
})
