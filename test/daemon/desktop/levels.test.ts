/**
 * Per-room notification levels (`notify.set`), end to end inside one daemon: the entry's view
 * (newest wins, members only, taken back by truncation), the rule book, what the desktop shows
 * for all / mentions / mute, and the tray's count (unread messages / unread mentions / none).
 */
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import type { Entry, NotifyLevel, PasswordHash, Status } from '../../../shared/index.js'
import { Sessions } from '../../../daemon/accounts/index.js'
import { Desktop, type Note } from '../../../daemon/desktop/index.js'
import { check } from '../../../daemon/rooms/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const STATUS = { role: 'relay', relayName: 'desk', online: [], ui: 'http://127.0.0.1:4321' } as unknown as Status
const DESIGN = 'r-aaaaaaaaaaaa'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function setUp(t: { testdir: () => string; teardown: (fn: () => unknown) => void }) {
  const store = await Store.open(join(t.testdir(), 'db'))
  const sessions = new Sessions(store)
  const shown: Note[] = []
  const desktop = await Desktop.open({
    store,
    sessions,
    status: () => STATUS,
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
  const apply = async (...bodies: Entry['body'][]) => {
    // After the log's head, which truncation moves back.
    const head = store.log.head
    const entries = bodies.map(
      (body, i): Entry => ({ id: `entry-${++made}-000`, ts: Date.now(), origin: NODE, seq: head + i + 1, term: 1, body }),
    )
    await store.append(entries)
    desktop.onApplied(entries)
    await desktop.refresh()
  }
  const say = (room: string, text: string): Entry['body'] => ({ type: 'message.posted', room, author: 'alice', text })
  const level = (room: string, l: NotifyLevel, username = 'bob'): Entry['body'] => ({ type: 'notify.set', room, username, level: l })
  /** Waits for the notes a sentinel message in general (level all) ends with, and returns every note shown. */
  const notesUpTo = async (sentinel: string) => {
    await apply(say('general', sentinel))
    for (let i = 0; i < 250 && !shown.some((n) => n.body.includes(sentinel)); i++) await sleep(20)
    return shown.splice(0).map((n) => n.body)
  }
  await apply(
    { type: 'account.created', username: 'alice', password: HASH },
    { type: 'account.created', username: 'bob', password: HASH },
    { type: 'account.created', username: 'carol', password: HASH },
    { type: 'room.created', room: DESIGN, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice', 'bob'] },
  )
  await sessions.issue('bob')
  await desktop.refresh()
  return { store, desktop, shown, apply, say, level, notesUpTo }
}

t.test('the level: all until chosen, the newest wins, only a member may set it, truncation takes it back', async (t) => {
  const d = await setUp(t)
  const q = d.store.views.q
  t.equal(await q.notifyLevel('bob', DESIGN), 'all', 'nothing chosen: all')
  await d.apply(d.level(DESIGN, 'mute'), d.level(DESIGN, 'mentions'))
  t.equal(await q.notifyLevel('BOB', DESIGN), 'mentions', 'the newest, whatever the case of the name')
  t.equal(await q.notifyLevel('alice', DESIGN), 'all', "one person's level is not another's")
  const head = d.store.log.head
  await d.apply(d.level(DESIGN, 'mute'))
  t.equal(await q.notifyLevel('bob', DESIGN), 'mute')
  await d.store.truncateAfter(head)
  t.equal(await q.notifyLevel('bob', DESIGN), 'mentions', 'the truncated entry is taken back')
  // carol is not in #design: a hostile relay ordering her level anyway changes nothing.
  await d.apply(d.level(DESIGN, 'mute', 'carol'))
  t.equal(await q.notifyLevel('carol', DESIGN), 'all')
})

t.test('the rule book: a member of an existing room, with an account', async (t) => {
  const d = await setUp(t)
  const q = d.store.views.q
  const head = d.store.log.head
  t.match(await check(d.level(DESIGN, 'mute'), q, head), { ok: true })
  t.match(await check(d.level('general', 'mentions', 'carol'), q, head), { ok: true }, 'everyone is in general')
  t.match(await check(d.level(DESIGN, 'mute', 'carol'), q, head), { ok: false, code: 'not_a_member' })
  t.match(await check(d.level('r-bbbbbbbbbbbb', 'mute'), q, head), { ok: false, code: 'unknown_room' })
  t.match(await check(d.level(DESIGN, 'mute', 'nobody'), q, head), { ok: false, code: 'unknown_author' })
})

t.test('mute: no notification, not even a mention, and nothing in the tray count', async (t) => {
  const d = await setUp(t)
  await d.apply(d.level(DESIGN, 'mute'))
  await d.apply(d.say(DESIGN, 'muted talk'), d.say(DESIGN, '@bob muted mention'))
  t.equal(d.desktop.state().unread, 0, 'a muted room counts nothing')
  t.same(await d.notesUpTo('sentinel'), ['sentinel'], 'only the message in general was shown')
  t.equal(d.desktop.state().unread, 1, 'general still counts')
})

t.test('mentions: only messages naming the person notify, and the tray counts only those', async (t) => {
  const d = await setUp(t)
  await d.apply(d.level(DESIGN, 'mentions'))
  await d.apply(d.say(DESIGN, 'plain talk'))
  t.same(await d.notesUpTo('first sentinel'), ['first sentinel'], 'the plain message made no notification')
  await d.apply(d.say(DESIGN, '@bob look'))
  t.same(await d.notesUpTo('second sentinel'), ['@bob look', 'second sentinel'], 'the mention did, on its own')
  // Unread in #design: "plain talk" and "@bob look", of which one mentions bob; general: two sentinels.
  t.equal(d.desktop.state().unread, 1 + 2, 'one mention in #design, two messages in general')
})

t.test('all (chosen again after mute): every message notifies and counts', async (t) => {
  const d = await setUp(t)
  await d.apply(d.level(DESIGN, 'mute'), d.say(DESIGN, 'while muted'))
  t.equal(d.desktop.state().unread, 0)
  await d.apply(d.level(DESIGN, 'all'))
  t.equal(d.desktop.state().unread, 1, 'the unread message counts again once the room is not muted')
  await d.apply(d.say(DESIGN, 'loud'))
  for (let i = 0; i < 250 && d.shown.length === 0; i++) await sleep(20)
  t.same(
    d.shown.map((n) => [n.title, n.body]),
    [['alice in #design', 'loud']],
    'the message in #design notifies',
  )
  t.equal(d.desktop.state().unread, 2)
})
