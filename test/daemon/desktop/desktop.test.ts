/**
 * Desktop decides who is notified and about what: the account that logged in last on this
 * machine; not for its own messages; not while one of its pages is being looked at; not in
 * Do not disturb unless it is a mention. Its state (account, unread, dnd) follows the log and
 * the sessions, and Do not disturb survives a restart.
 */
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import type { DesktopState, Entry, PasswordHash, Status } from '../../../shared/index.js'
import { Sessions } from '../../../daemon/accounts/index.js'
import { Desktop, type Note } from '../../../daemon/desktop/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const STATUS = { role: 'relay', relayName: 'desk', online: ['bob'], ui: 'http://127.0.0.1:4321' } as unknown as Status
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let seq = 0
const account = (username: string): Entry => ({
  id: `acct-${username}-00`,
  ts: 1,
  origin: NODE,
  seq: ++seq,
  term: 1,
  body: { type: 'account.created', username, password: HASH },
})
const message = (author: string, text: string, ts = Date.now()): Entry => ({
  id: `msg-${++seq}-0000`,
  ts,
  origin: NODE,
  seq,
  term: 1,
  body: { type: 'message.posted', room: 'general', author, text },
})

async function setUp(t: { testdir: () => string; teardown: (fn: () => unknown) => void }, dir = join(t.testdir(), 'db')) {
  const store = await Store.open(dir)
  const sessions = new Sessions(store)
  const shown: Note[] = []
  const watching = new Set<string>()
  const desktop = await Desktop.open({
    store,
    sessions,
    status: () => STATUS,
    burstMs: 20,
    log: pino({ level: 'silent' }),
    pages: { isWatching: (u) => watching.has(u) },
    sink: { show: (n) => shown.push(n) },
  })
  const states: DesktopState[] = []
  desktop.on('state', (s) => states.push(s))
  t.teardown(async () => {
    desktop.close()
    await store.close()
  })
  /** Appends like the replica does, then tells Desktop, as daemon.ts wires it. */
  const apply = async (...entries: Entry[]) => {
    await store.append(entries)
    desktop.onApplied(entries)
    await desktop.refresh()
  }
  return { store, sessions, desktop, shown, watching, states, apply }
}

t.test('nobody logged in: no notifications, no unread count', async (t) => {
  seq = 0
  const d = await setUp(t)
  await d.apply(account('alice'), account('bob'), message('alice', 'hello'))
  await sleep(50)
  t.same(d.shown, [])
  t.match(d.desktop.state(), { account: null, unread: 0, dnd: false, role: 'relay', relayName: 'desk', online: 1 })
})

t.test('the account that logged in last is notified about messages from others', async (t) => {
  seq = 0
  const d = await setUp(t)
  await d.apply(account('alice'), account('bob'))
  await d.sessions.issue('alice')
  await sleep(5)
  await d.sessions.issue('bob')
  await d.desktop.refresh()
  t.equal(d.desktop.state().account, 'bob')
  await d.apply(message('bob', 'my own words'), message('alice', 'hi bob'))
  await sleep(50)
  t.same(
    d.shown.map((n) => n.title),
    ['alice in #general'],
    'not for its own message',
  )
  t.equal(d.desktop.state().unread, 1, 'unread counts messages by others')
  t.match(d.states.at(-1), { account: 'bob', unread: 1 }, 'the tray was told')
})

t.test('a page being looked at silences notifications; a burst caught by it is dropped', async (t) => {
  seq = 0
  const d = await setUp(t)
  await d.apply(account('alice'), account('bob'))
  await d.sessions.issue('bob')
  await d.desktop.refresh()
  d.watching.add('bob')
  await d.apply(message('alice', 'seen on screen'))
  await sleep(50)
  t.same(d.shown, [], 'nothing while the page is watched')
  d.watching.delete('bob')
  await d.apply(message('alice', 'collected'))
  d.desktop.pageWatching('bob')
  await sleep(50)
  t.same(d.shown, [], 'the person looked at the page before the window ended')
})

t.test('Do not disturb silences messages but not mentions, and survives a restart', async (t) => {
  seq = 0
  const dir = join(t.testdir(), 'db')
  const d = await setUp({ testdir: () => '', teardown: () => {} }, dir)
  await d.apply(account('alice'), account('bob'))
  await d.sessions.issue('bob')
  await d.desktop.refresh()
  t.match(await d.desktop.setDnd(true), { dnd: true })
  await d.apply(message('alice', 'quiet'), message('alice', '@bob urgent'))
  await sleep(50)
  t.same(
    d.shown.map((n) => [n.title, n.body]),
    [['alice mentioned you in #general', '@bob urgent']],
  )
  d.desktop.close()
  await d.store.close()
  const again = await setUp(t, dir)
  t.match(again.desktop.state(), { dnd: true, account: 'bob', unread: 2 }, 'dnd and the session were kept')
})

t.test('a replica catching up: old messages make one summary, old mentions do not pop up', async (t) => {
  seq = 0
  const d = await setUp(t)
  await d.apply(account('alice'), account('bob'))
  await d.sessions.issue('bob')
  await d.desktop.refresh()
  const weekend = Date.now() - 2 * 24 * 3600_000
  await d.apply(message('alice', 'friday news', weekend), message('alice', '@bob see this on monday', weekend + 1))
  await sleep(50)
  t.same(
    d.shown.map((n) => n.title),
    ['2 new messages in #general'],
    'one summary, no pop-up for the old mention',
  )
})

t.test('only rooms the account is in: a room it never joined is silent, a direct message says so, unread adds up', async (t) => {
  seq = 0
  const d = await setUp(t)
  const entry = (body: Entry['body']): Entry => ({ id: `room-${++seq}-000`, ts: Date.now(), origin: NODE, seq, term: 1, body })
  await d.apply(
    account('alice'),
    account('bob'),
    entry({
      type: 'room.created',
      room: 'r-aaaaaaaaaaaa',
      kind: 'public',
      name: 'design',
      topic: '',
      creator: 'alice',
      members: ['alice'],
    }),
    entry({ type: 'room.created', room: 'dm-0123456789abcdef', kind: 'direct', topic: '', creator: 'alice', members: ['alice', 'bob'] }),
  )
  await d.sessions.issue('bob')
  await d.desktop.refresh()
  await d.apply(entry({ type: 'message.posted', room: 'r-aaaaaaaaaaaa', author: 'alice', text: 'design talk' }))
  await sleep(50)
  t.same(d.shown, [], 'nothing for #design, which bob is not in')
  await d.apply(entry({ type: 'message.posted', room: 'dm-0123456789abcdef', author: 'alice', text: 'psst' }))
  await sleep(50)
  t.same(
    d.shown.map((n) => [n.title, n.room]),
    [['alice in a direct message', 'dm-0123456789abcdef']],
    'the direct message, named as such, opening that room',
  )
  await d.apply(message('alice', 'and in general'))
  await sleep(50)
  t.equal(d.desktop.state().unread, 2, 'unread counts the direct message and general, not #design')
})

t.test('a sealed message (an encrypted room) is announced by where it is, never by what it says', async (t) => {
  seq = 0
  const d = await setUp(t)
  const entry = (body: Entry['body']): Entry => ({ id: `room-${++seq}-000`, ts: Date.now(), origin: NODE, seq, term: 1, body })
  await d.apply(
    account('alice'),
    account('bob'),
    entry({ type: 'room.created', room: 'dm-0123456789abcdef', kind: 'direct', topic: '', creator: 'alice', members: ['alice', 'bob'] }),
  )
  await d.sessions.issue('bob')
  await d.desktop.refresh()
  // The ciphertext is made up: Desktop must not try to open it, only say that something came.
  const sealed = { epoch: 1, nonce: 'A'.repeat(32), ct: 'c2VjcmV0IHBsYW5zIEBib2I' }
  await d.apply(entry({ type: 'message.posted', room: 'dm-0123456789abcdef', author: 'alice', text: '', sealed }))
  for (let i = 0; i < 100 && d.shown.length === 0; i++) await sleep(20)
  t.same(
    d.shown.map((n) => [n.title, n.body]),
    [['alice in a direct message', 'New message in a direct message']],
    'who and where, not what (and no mention can be told)',
  )
})
