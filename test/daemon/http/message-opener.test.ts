/**
 * Opening sealed messages (daemon/http/message-opener.ts): what a member reads, and every way
 * a message cannot be read answered with its reason rather than an error — before they were
 * given a key, a key wrapped wrongly (sealed to someone else, or not the committed key),
 * altered text, text moved to another author, a session without keys. Each is logged with
 * who sent it.
 */
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { MessageOpener } from '../../../daemon/http/message-opener.js'
import { encryptContent, newRoomKey, roomKeyCommitment, sealRoomKey } from '../../../daemon/sealing/index.js'
import { Store } from '../../../daemon/store/index.js'
import type { Entry, EntryBody, Message } from '../../../shared/index.js'
import { TestPeople } from '../../lib/accounts.js'

const ROOM = 'r-abcdefghijkl'
const people = new TestPeople('alice', 'bob', 'carol')

t.test('a member reads; everything else says why not', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  let seq = 0
  const add = (...bodies: EntryBody[]) =>
    store.append(bodies.map((body): Entry => ({ id: `entry-${++seq}-xx`, ts: 5000 + seq, origin: '0123456789abcdef', seq, term: 1, body })))
  const key = await newRoomKey()
  const commitment = await roomKeyCommitment(key, { room: ROOM, epoch: 1 })
  const wrongKey = await newRoomKey()
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
      commitment,
      sealed: {
        alice: await sealRoomKey(key, people.get('alice').keys.box),
        // bob's copy is sealed to carol's key, carol's is another key than the committed one.
        bob: await sealRoomKey(key, people.get('carol').keys.box),
        carol: await sealRoomKey(wrongKey, people.get('carol').keys.box),
      },
    },
  )
  const sealed = await encryptContent(key, { room: ROOM, epoch: 1, author: 'alice' }, { text: 'the vault code' })
  const message: Message = { id: 'entry-9-xx', seq: 9, room: ROOM, author: 'alice', text: '', ts: 1, sealed }
  const logged: unknown[] = []
  const log = pino({ level: 'debug' }, { write: (line: string) => logged.push(JSON.parse(line)) })
  const opener = (name: string, box: Buffer | null = Buffer.from(people.get(name).secrets.box)) =>
    new MessageOpener(store.views.q, name, box, log)

  const alice = opener('alice')
  t.same(await alice.open(message), {
    id: 'entry-9-xx',
    seq: 9,
    room: ROOM,
    author: 'alice',
    text: 'the vault code',
    ts: 1,
    encrypted: true,
  })
  t.match(
    await alice.open({ ...message, sealed: { ...sealed, ct: `A${sealed.ct.slice(1)}` } }),
    { text: '', unreadable: 'tampered' },
    'altered text',
  )
  t.match(await alice.open({ ...message, author: 'carol' }), { text: '', unreadable: 'tampered' }, 'attributed to someone else')
  t.match(await alice.open({ ...message, sealed: { ...sealed, epoch: 2 } }), { text: '', unreadable: 'no_key' }, 'an epoch with no key')
  alice.close()
  t.match(await opener('bob').open(message), { text: '', encrypted: true, unreadable: 'key_invalid' }, 'a copy sealed to someone else')
  t.match(await opener('carol').open(message), { text: '', unreadable: 'key_invalid' }, 'a copy of another key than the committed one')
  t.match(await opener('alice', null).open(message), { text: '', unreadable: 'no_session_key' }, 'a session without keys')
  const outsider = opener('dave', Buffer.alloc(32, 7))
  t.match(await outsider.open(message), { text: '', unreadable: 'no_key' }, 'someone never given a key')
  const { sealed: _s, ...plain } = { ...message, text: 'plain' }
  t.same(await outsider.open(plain), plain, 'plain text passes as it is')
  t.ok(
    logged.some(
      (l) =>
        (l as { reason?: string; author?: string; reader?: string }).reason === 'key_invalid' &&
        (l as { author: string }).author === 'alice',
    ),
    'an unreadable message is logged with who sent it',
  )
  t.notOk(JSON.stringify(logged).includes('vault'), 'and never with what it said')

  const box = Buffer.from(people.get('alice').secrets.box)
  const wiped = new MessageOpener(store.views.q, 'alice', box, log)
  await wiped.open(message)
  wiped.close()
  t.ok(
    box.every((b) => b === 0),
    'close wipes the box key it was given',
  )

  // A page opens its fifty messages at once: the room key is opened once for all of them.
  let lookups = 0
  const counted = new Proxy(store.views.q, {
    get: (target, name, receiver) =>
      name === 'roomKey'
        ? (room: string, epoch: number) => {
            lookups++
            return target.roomKey(room, epoch)
          }
        : Reflect.get(target, name, receiver),
  })
  const page = new MessageOpener(counted, 'alice', Buffer.from(people.get('alice').secrets.box), log)
  const fifty = Array.from({ length: 50 }, (_, i) => ({ ...message, id: `entry-${100 + i}-xx`, seq: 100 + i }))
  const opened = await page.openAll(fifty)
  t.ok(
    opened.every((m) => m.text === 'the vault code'),
    'all fifty read',
  )
  t.equal(lookups, 1, 'one room-key opening for the page, not fifty')
  const roomKey = await page.roomKey(ROOM, 1)
  page.close()
  t.ok(Buffer.isBuffer(roomKey) && roomKey.every((b) => b === 0), 'close wipes the room key the page opened')

  // A session's key is opened (HKDF + AES-GCM) only once a sealed message needs it.
  let openings = 0
  const opened1 = Buffer.from(people.get('alice').secrets.box)
  const lazy = new MessageOpener(
    store.views.q,
    'alice',
    () => {
      openings++
      return opened1
    },
    log,
  )
  const said: Message = { id: 'entry-200-xx', seq: 200, room: ROOM, author: 'bob', text: 'hello', ts: 2 }
  t.same(await lazy.openAll([said, said]), [said, said], 'plain messages as they are')
  t.equal(openings, 0, 'a page of plain messages opens no key')
  t.equal((await lazy.openAll([message, message]))[1]!.text, 'the vault code', 'a sealed one opens')
  t.equal(openings, 1, 'the key is opened once for the page')
  lazy.close()
  t.ok(
    opened1.every((b) => b === 0),
    'and wiped at close',
  )

  // A page answered from the stored JSON is what opening the decoded messages answers.
  const blob = { sha256: 'a'.repeat(64), size: 3 }
  const stored: Message[] = [
    said,
    message,
    { ...said, id: 'entry-201-xx', blobs: [blob] },
    { ...said, id: 'entry-202-xx', replyTo: 'entry-200-xx' },
    { ...said, id: 'entry-203-xx', text: 'quoting the JSON "sealed": {} and "replyTo": "x" in a text' },
    { ...said, id: 'entry-204-xx', text: 'ünïcödé 💬 and a \\ backslash' },
  ]
  const asJson = new MessageOpener(store.views.q, 'alice', Buffer.from(people.get('alice').secrets.box), log)
  const expected = (await asJson.openAll(stored)).map((m) => JSON.stringify(m))
  const fromJson = await asJson.openAllJson(stored.map((m) => JSON.stringify(m)))
  asJson.close()
  t.same(fromJson, expected, 'sealed, with blobs, a reply, texts naming those keys: each as open makes it')
  t.notOk(fromJson[1]!.includes('"sealed"') || fromJson[2]!.includes('"blobs"'), 'no sealed form or blobs handed out')
  t.ok(fromJson[3]!.includes('"quote"'), "a reply's quote is added")

  const closedFirst = new MessageOpener(store.views.q, 'alice', () => Buffer.from(people.get('alice').secrets.box), log)
  closedFirst.close()
  t.match(
    await closedFirst.open(message),
    { text: '', unreadable: 'no_session_key' },
    'an opener closed before it needed the key opens none',
  )
})
