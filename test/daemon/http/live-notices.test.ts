/**
 * Key notices go live (daemon/http/live-feed.ts): when an `account.keys` entry with other keys
 * is applied, each open page hears a `notice` for every room of the person that it may read,
 * with the new fingerprint: a private room's only to its members. A password change (the same
 * keys) sends none.
 */
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import type WebSocket from 'ws'
import type { Entry, EntryBody, UiEvent } from '../../../shared/index.js'
import { accountFingerprint } from '../../../daemon/accounts/index.js'
import { LiveFeed, PageSockets } from '../../../daemon/http/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople, testAccount } from '../../lib/accounts.js'
import { waitFor } from './local-daemon.js'

const PLANS = 'r-plansplansxx'
const people = new TestPeople('alice', 'bob', 'carol')

function entries(bodies: EntryBody[], from = 1): Entry[] {
  return bodies.map((body, i) => ({
    id: `entry-${from + i}-xx`,
    ts: 7000 + from + i,
    origin: '0123456789abcdef',
    seq: from + i,
    term: 1,
    body,
  }))
}

/** A page socket that keeps what it is sent. */
function page(pages: PageSockets, username: string): UiEvent[] {
  const heard: UiEvent[] = []
  const ws = Object.assign(new EventEmitter(), { OPEN: 1, readyState: 1, send: (s: string) => heard.push(JSON.parse(s)), close: () => {} })
  pages.add(username, ws as unknown as WebSocket)
  return heard
}

t.test('a notice per room of the person, to the pages that may read it', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const pages = new PageSockets(60_000)
  t.teardown(() => pages.closeAll())
  const live = new LiveFeed(pages, store.views, pino({ level: 'silent' }))
  const heard = { alice: page(pages, 'alice'), bob: page(pages, 'bob'), carol: page(pages, 'carol') }
  const base = await store.append(
    entries([
      people.created('alice'),
      people.created('bob'),
      people.created('carol'),
      { type: 'room.created', room: PLANS, kind: 'private', name: 'plans', topic: '', creator: 'alice', members: ['alice', 'bob'] },
    ]),
  )
  live.applied(base)
  const wrapped = people.created('bob').wrapped!
  const same = await store.append(entries([{ type: 'account.keys', username: 'bob', keys: people.get('bob').keys, wrapped }], 5))
  const other = testAccount('bob').keys
  const swapped = await store.append(entries([{ type: 'account.keys', username: 'bob', keys: other, wrapped }], 6))
  live.applied(same)
  live.applied(swapped)
  const notices = (events: UiEvent[]) =>
    events.filter((e) => e.type === 'notice').map((e) => e.type === 'notice' && [e.notice.room, e.notice.seq])
  await waitFor('the notices', async () => notices(heard.alice).length === 2 && notices(heard.bob).length === 2)
  const fingerprint = accountFingerprint('bob', other)
  t.match(
    heard.alice.filter((e) => e.type === 'notice'),
    [{ notice: { room: 'general', seq: 6, kind: 'keys.changed', username: 'bob', fingerprint } }, { notice: { room: PLANS, seq: 6 } }],
    'alice hears both, with his new fingerprint; the password change before it made none',
  )
  t.same(
    notices(heard.bob),
    [
      ['general', 6],
      [PLANS, 6],
    ],
    'bob hears both',
  )
  t.same(notices(heard.carol), [['general', 6]], 'carol, not in the private room, hears only general’s')
})
