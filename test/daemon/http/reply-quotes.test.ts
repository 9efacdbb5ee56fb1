/**
 * The quote a reply shows (daemon/http/reply-links.ts through the opener): the original's
 * author and first line for whoever can read it; "unavailable" for a sealed original a reader
 * cannot open (its text never leaks through a reply); "deleted" once deleted; the first line
 * only, cut, as plain text.
 */
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { MessageOpener } from '../../../daemon/http/message-opener.js'
import { firstLine } from '../../../daemon/http/reply-links.js'
import { encryptContent, newRoomKey, roomKeyCommitment, sealRoomKey } from '../../../daemon/sealing/index.js'
import { Store } from '../../../daemon/store/index.js'
import { REPLY_QUOTE_MAX, type Entry, type EntryBody } from '../../../shared/index.js'
import { TestPeople } from '../../lib/accounts.js'

const ROOM = 'r-abcdefghijkl'
const people = new TestPeople('alice', 'bob', 'carol')

t.test('a reply quotes what the reader may read of the original', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  let seq = 0
  const add = (...bodies: EntryBody[]) =>
    store.append(bodies.map((body): Entry => ({ id: `entry-${++seq}-xx`, ts: 5000 + seq, origin: '0123456789abcdef', seq, term: 1, body })))
  const key = await newRoomKey()
  await add(
    people.created('alice'),
    people.created('bob'),
    people.created('carol'),
    { type: 'room.created', room: ROOM, kind: 'private', name: 'plans', topic: '', creator: 'alice', members: ['alice', 'bob', 'carol'] },
    {
      type: 'room.key',
      room: ROOM,
      by: 'alice',
      epoch: 1,
      commitment: await roomKeyCommitment(key, { room: ROOM, epoch: 1 }),
      sealed: {
        alice: await sealRoomKey(key, people.get('alice').keys.box),
        bob: await sealRoomKey(key, people.get('carol').keys.box), // bob cannot open the room key
        carol: await sealRoomKey(key, people.get('carol').keys.box),
      },
    },
  )
  const seal = (author: string, text: string) => encryptContent(key, { room: ROOM, epoch: 1, author }, { text })
  await add(
    { type: 'message.posted', room: ROOM, author: 'alice', text: '', sealed: await seal('alice', 'the vault code is 1234\nsecond line') }, // 6
    { type: 'message.posted', room: ROOM, author: 'carol', text: '', sealed: await seal('carol', 'noted'), replyTo: 'entry-6-xx' }, // 7
  )
  const log = pino({ level: 'silent' })
  const opener = (name: string) => new MessageOpener(store.views.q, name, Buffer.from(people.get(name).secrets.box), log)
  const reply = (await store.views.q.message(ROOM, 'entry-7-xx'))!

  t.match(
    (await opener('alice').open(reply)).quote,
    { id: 'entry-6-xx', state: 'shown', author: 'alice', text: 'the vault code is 1234', seq: 6 },
    'a member who can read it sees the first line',
  )
  const bobs = await opener('bob').open(reply)
  t.same(bobs.quote, { id: 'entry-6-xx', state: 'unavailable' }, 'a member without the key: unavailable')
  t.notOk(JSON.stringify(bobs).includes('vault'), 'and the sealed text never shows through the reply')

  await add({ type: 'message.deleted', room: ROOM, target: 'entry-6-xx', author: 'alice' })
  t.same((await opener('alice').open(reply)).quote, { id: 'entry-6-xx', state: 'deleted', seq: 6 }, 'deleted: says so, nothing more')
  t.same(
    (await opener('alice').open({ ...reply, replyTo: 'gone-from-the-log' })).quote,
    { id: 'gone-from-the-log', state: 'unavailable' },
    'a message not in the log: unavailable',
  )
})

t.test('the first line, cut', async (t) => {
  t.equal(firstLine('  hello\nworld'), 'hello')
  const long = firstLine('😀'.repeat(500))
  t.equal([...long].length, REPLY_QUOTE_MAX, 'cut at REPLY_QUOTE_MAX characters, never inside a surrogate pair')
  t.ok(long.endsWith('…'), 'with an ellipsis')
  t.equal(firstLine('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup stays text (the page renders it as text)')
})
