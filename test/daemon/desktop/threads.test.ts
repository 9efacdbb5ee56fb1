/**
 * Who a thread reply and `@room` / `@here` notify on the desktop (daemon/desktop/desktop.ts):
 * the people in a thread (its root's author and who replied) as a mention would, nobody else;
 * `@room` everyone in a room, `@here` everyone online in it, only in rooms of at most
 * BROADCAST_MENTION_MAX_MEMBERS; a muted room still says nothing.
 */
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { BROADCAST_MENTION_MAX_MEMBERS, type Entry, type EntryBody, type PasswordHash, type Status } from '../../../shared/index.js'
import { Sessions } from '../../../daemon/accounts/index.js'
import { Desktop, type Note } from '../../../daemon/desktop/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const DESIGN = 'r-aaaaaaaaaaaa'
const BIG = 'r-bbbbbbbbbbbb'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function setUp(t: { testdir: () => string; teardown: (fn: () => unknown) => void }) {
  const store = await Store.open(join(t.testdir(), 'db'))
  const sessions = new Sessions(store)
  const shown: Note[] = []
  const online: string[] = []
  const desktop = await Desktop.open({
    store,
    sessions,
    status: () => ({ role: 'relay', relayName: 'desk', online, ui: 'http://127.0.0.1:4321' }) as unknown as Status,
    burstMs: 20,
    log: pino({ level: 'silent' }),
    pages: { isWatching: () => false },
    sink: { show: (n) => shown.push(n) },
  })
  t.teardown(async () => {
    desktop.close()
    await store.close()
  })
  let made = 0
  const apply = async (...bodies: EntryBody[]) => {
    const head = store.log.head
    const entries = bodies.map(
      (body, i): Entry => ({ id: `entry-${++made}-000`, ts: Date.now(), origin: NODE, seq: head + i + 1, term: 1, body }),
    )
    await store.append(entries)
    desktop.onApplied(entries)
    await desktop.refresh()
    return entries.map((e) => e.id)
  }
  const say = (author: string, text: string, room = DESIGN, more: object = {}): EntryBody => ({
    type: 'message.posted',
    room,
    author,
    text,
    ...more,
  })
  /** Every note shown up to a sentinel message in general (which always notifies bob). */
  const notesUpTo = async (sentinel: string) => {
    await apply(say('alice', sentinel, 'general'))
    for (let i = 0; i < 250 && !shown.some((n) => n.body.includes(sentinel)); i++) await sleep(20)
    return shown.splice(0).map((n) => n.body)
  }
  const crowd = Array.from({ length: BROADCAST_MENTION_MAX_MEMBERS }, (_, i) => `person${i}`)
  await apply(
    ...['alice', 'bob', 'carol', ...crowd].map((username): EntryBody => ({ type: 'account.created', username, password: HASH })),
    { type: 'room.created', room: DESIGN, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice', 'bob', 'carol'] },
    // BROADCAST_MENTION_MAX_MEMBERS + 1 members: over the limit.
    { type: 'room.created', room: BIG, kind: 'public', name: 'big', topic: '', creator: 'bob', members: ['bob', ...crowd] },
  )
  await sessions.issue('bob')
  await desktop.refresh()
  return { store, desktop, shown, online, apply, say, notesUpTo }
}

t.test('a thread reply notifies the people in the thread, and nobody else', async (t) => {
  const d = await setUp(t)
  const [root] = await d.apply(d.say('alice', 'the root'))
  await d.notesUpTo('s0')
  await d.apply(d.say('carol', 'carol in the thread', DESIGN, { thread: root }))
  t.same(await d.notesUpTo('s1'), ['s1'], 'bob, not in the thread, hears nothing of it')
  t.equal(d.desktop.state().unread, 2 + 1, 'nor counts it (the root and two sentinels)')
  await d.apply(d.say('bob', 'bob joins in', DESIGN, { thread: root }))
  await d.apply(d.say('carol', 'carol answers', DESIGN, { thread: root }))
  t.same(await d.notesUpTo('s2'), ['carol answers', 's2'], 'once bob replied, the next reply notifies him')
  await d.apply({ type: 'notify.set', room: DESIGN, username: 'bob', level: 'mentions' })
  await d.apply(d.say('carol', 'more', DESIGN, { thread: root }))
  t.same(await d.notesUpTo('s3'), ['more', 's3'], 'as a mention would: also at "mentions only"')
  await d.apply({ type: 'notify.set', room: DESIGN, username: 'bob', level: 'mute' })
  await d.apply(d.say('carol', 'muted', DESIGN, { thread: root }))
  t.same(await d.notesUpTo('s4'), ['s4'], 'and never in a muted room')
})

t.test('@room and @here, in small rooms only', async (t) => {
  const d = await setUp(t)
  await d.apply({ type: 'notify.set', room: DESIGN, username: 'bob', level: 'mentions' })
  await d.apply({ type: 'notify.set', room: BIG, username: 'bob', level: 'mentions' })
  await d.apply(d.say('alice', 'plain'), d.say('alice', 'meeting now @room'))
  t.same(await d.notesUpTo('s1'), ['meeting now @room', 's1'], '@room calls bob as a mention would')
  await d.apply(d.say('alice', 'anyone @here?'))
  t.same(await d.notesUpTo('s2'), ['s2'], '@here does not call bob while he is offline')
  d.online.push('Bob')
  await d.apply(d.say('alice', 'anyone @here now?'))
  t.same(await d.notesUpTo('s3'), ['anyone @here now?', 's3'], 'and does once he is online')
  await d.apply(d.say('person1', 'big news @room', BIG), d.say('person2', 'big @here', BIG))
  t.same(await d.notesUpTo('s4'), ['s4'], `in a room of over ${BROADCAST_MENTION_MAX_MEMBERS} members neither calls anyone`)
})

t.test("the person's own messages do not recount unread; their reply in a thread does", async (t) => {
  const { store, desktop, apply, say } = await setUp(t)
  const [root] = await apply(say('alice', 'the plan'))
  await apply(say('carol', 'a detail, in the thread only', DESIGN, { thread: root }))
  await sleep(100) // the recounts those batches asked for are done
  const before = desktop.state().unread
  let recounts = 0
  const readPosition = store.views.readPosition.bind(store.views)
  store.views.readPosition = (...args: Parameters<typeof readPosition>) => {
    recounts++
    return readPosition(...args)
  }
  /** As the replica hands a written batch to Desktop (daemon.ts), without asking for a recount. */
  const written = async (...bodies: EntryBody[]) => {
    const head = store.log.head
    const entries = bodies.map(
      (body, i): Entry => ({ id: `own-${head + i + 1}-00000`, ts: Date.now(), origin: NODE, seq: head + i + 1, term: 1, body }),
    )
    await store.append(entries)
    desktop.onApplied(entries)
  }
  await written(say('bob', 'mine'), say('bob', 'mine too', 'general'))
  await sleep(100)
  t.equal(recounts, 0, "a batch of bob's own messages walks no room")
  t.equal(desktop.state().unread, before, 'and his unread count is what it was')
  await written(say('bob', 'me too', DESIGN, { thread: root }))
  for (let i = 0; i < 100 && desktop.state().unread === before; i++) await sleep(20)
  t.ok(recounts > 0, 'his reply in a thread is recounted')
  t.equal(desktop.state().unread, before + 1, "carol's reply is unread for him now that he is in the thread")
})
