/**
 * Key notices in the views (daemon/store/notices.ts): an `account.keys` entry with other keys
 * than the account had puts a notice in every room the person is in at that point of the log
 * (general always, a room joined earlier in the same batch too, never a room they left or
 * were never in); an account's first keys get the milder notice; a password change (the same
 * keys wrapped anew) none. Notices are taken back with their entry, and rebuilt from the log.
 */
import t from 'tap'
import { join } from 'node:path'
import type { AccountKeys, Entry, EntryBody, PasswordHash, WrappedKeys } from '../../../shared/index.js'
import { Store } from '../../../daemon/store/index.js'
import { keyChange } from '../../../daemon/store/notices.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
const DESIGN = 'r-abcdefghijkl'
const SECRET = 'r-secretsecret'
const OTHER = 'r-othersothers'

const people = new TestPeople('alice', 'bob', 'carol')
const wrapped: WrappedKeys = people.created('bob').wrapped!
const newBobKeys: AccountKeys = new TestPeople('bob').get('bob').keys

function entries(bodies: EntryBody[], from = 1): Entry[] {
  return bodies.map((body, i) => ({ id: `entry-${from + i}-xx`, ts: 5000 + from + i, origin: NODE, seq: from + i, term: 1, body }))
}

const base: EntryBody[] = [
  people.created('alice'),
  people.created('bob'),
  people.created('carol'),
  { type: 'room.created', room: DESIGN, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice', 'bob'] },
  { type: 'room.created', room: SECRET, kind: 'private', name: 'secret', topic: '', creator: 'bob', members: ['bob', 'carol'] },
  { type: 'room.created', room: OTHER, kind: 'public', name: 'other', topic: '', creator: 'carol', members: ['carol'] },
  { type: 'room.left', room: SECRET, username: 'bob' },
]

type T = { testdir: () => string; teardown: (fn: () => unknown) => void }
async function open(t: T): Promise<Store> {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  return store
}

async function allNotices(store: Store): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for await (const [k, v] of store.views.subs.notices.iterator()) out[k] = v
  return out
}

t.test('other signing keys: a notice in every room the person is in, at that seq, and nowhere else', async (t) => {
  const store = await open(t)
  await store.append(entries([...base, { type: 'account.keys', username: 'bob', keys: newBobKeys, wrapped }]))
  const seq = base.length + 1
  for (const room of ['general', DESIGN]) {
    t.same(
      await store.views.notices(room, 0),
      [{ room, seq, ts: 5000 + seq, kind: 'keys.changed', username: 'bob', keys: newBobKeys }],
      `in ${room}`,
    )
    t.ok(await store.views.q.notice(room, seq), `found by room and seq in ${room}`)
  }
  t.same(await store.views.notices(SECRET, 0), [], 'not in a room he left')
  t.same(await store.views.notices(OTHER, 0), [], 'not in a room he was never in')
  t.same((await store.views.account('bob'))?.keys, newBobKeys, 'and the account has the new keys')
  t.same(await store.views.notices('general', seq), [], 'the window is after < seq …')
  t.same(await store.views.notices('general', 0, seq), [], '… < before')
})

t.test('a password change (the same keys wrapped anew) makes no notice', async (t) => {
  const store = await open(t)
  await store.append(entries([...base, { type: 'account.keys', username: 'bob', keys: people.get('bob').keys, wrapped }]))
  t.same(await allNotices(store), {}, 'none anywhere')
})

t.test('only the box key other: still a notice (the fingerprint covers both keys)', async (t) => {
  const store = await open(t)
  const keys = { sign: people.get('bob').keys.sign, box: newBobKeys.box }
  await store.append(entries([...base, { type: 'account.keys', username: 'bob', keys, wrapped }]))
  t.equal((await store.views.notices('general', 0))[0]?.kind, 'keys.changed')
  t.equal(keyChange({ keys: people.get('bob').keys }, people.get('bob').keys), null, 'the same keys: nothing to say')
})

t.test("an account's first keys: the milder notice; a room joined earlier in the same batch counts", async (t) => {
  const store = await open(t)
  await store.append(
    entries([
      { type: 'account.created', username: 'olga', password: HASH },
      people.created('alice'),
      { type: 'room.created', room: DESIGN, kind: 'public', name: 'design', topic: '', creator: 'alice', members: ['alice'] },
    ]),
  )
  await store.append(
    entries(
      [
        { type: 'room.joined', room: DESIGN, username: 'olga', by: 'olga' },
        { type: 'account.keys', username: 'olga', keys: newBobKeys, wrapped },
      ],
      4,
    ),
  )
  t.same(
    (await store.views.notices(DESIGN, 0)).map((n) => [n.kind, n.username, n.seq]),
    [['keys.first', 'olga', 5]],
  )
  t.equal((await store.views.notices('general', 0)).length, 1, 'and in general')
})

t.test('notices go with their entry when it is taken back, and come back when the views are rebuilt', async (t) => {
  const dir = join(t.testdir(), 'db')
  let store = await Store.open(dir)
  await store.append(entries([...base, { type: 'account.keys', username: 'bob', keys: newBobKeys, wrapped }]))
  const before = await allNotices(store)
  t.equal(Object.keys(before).length, 2)
  await store.truncateAfter(base.length)
  t.same(await allNotices(store), {}, 'truncated: gone')
  await store.append(entries([{ type: 'account.keys', username: 'bob', keys: newBobKeys, wrapped }], base.length + 1))
  t.same(await allNotices(store), before, 'appended again: back')
  await store.meta.put('views.version', 0)
  await store.close()
  store = await Store.open(dir)
  t.teardown(() => store.close())
  t.same(await allNotices(store), before, 'rebuilt from the log: the same')
})
