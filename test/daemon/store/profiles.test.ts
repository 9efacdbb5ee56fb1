/**
 * `profile.set` in the views (daemon/store/apply.ts): the newest wins, empty is none, a display
 * name that is another account's username (a hostile relay's) changes nothing, a restart keeps
 * it, and taking entries back (a partition undone) restores exactly the views before.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Entry, EntryBody, PasswordHash } from '../../../shared/index.js'
import { Store } from '../../../daemon/store/index.js'

const NODE = '0123456789abcdef'
const HASH: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }

function entries(bodies: EntryBody[], from = 1): Entry[] {
  return bodies.map((body, i) => ({ id: `entry-${from + i}-xx`, ts: 5000 + from + i, origin: NODE, seq: from + i, term: 1, body }))
}
const set = (username: string, displayName: string, status = '', statusEmoji?: string): EntryBody => ({
  type: 'profile.set',
  username,
  displayName,
  status,
  ...(statusEmoji ? { statusEmoji } : {}),
})

const base: EntryBody[] = [
  { type: 'account.created', username: 'alice', password: HASH },
  { type: 'account.created', username: 'bob', password: HASH },
]
const changes: EntryBody[] = [
  set('alice', 'Alice Martin', 'in a meeting', '📅'), // 3
  set('bob', 'Bob'), // 4
  set('alice', 'Alice M.', ''), // 5
  set('bob', '@Alice'), // 6: another's username: nothing
  set('bob', '', 'lunch'), // 7
]

async function snapshot(store: Store): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [name, sub] of Object.entries(store.views.subs)) {
    out[name] = {}
    for await (const [k, v] of sub.iterator()) out[name]![k] = v
  }
  return out
}

t.test('the newest profile of each account, as every read shows it, across a restart', async (t) => {
  const dir = join(t.testdir(), 'db')
  let store = await Store.open(dir)
  await store.append(entries([...base, ...changes]))
  const want = { alice: { displayName: 'Alice M.' }, bob: { status: 'lunch' } }
  t.same(await store.views.profiles(), want, 'the newest wins; empty is none; "@Alice" by bob changed nothing')
  t.same(
    await store.views.people(10),
    [
      { username: 'alice', displayName: 'Alice M.' },
      { username: 'bob', status: 'lunch' },
    ],
    'the people directory carries them',
  )
  await store.close()
  store = await Store.open(dir)
  t.teardown(() => store.close())
  t.same(await store.views.profiles(), want, 'kept across a restart')
})

t.test("a display name that is another account's username never lands, whatever its case or width", async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  await store.append(entries([...base, set('bob', 'ＡＬＩＣＥ', 'hi'), set('alice', 'alice'), set('carol', 'Carol')]))
  t.same(await store.views.profiles(), { alice: { displayName: 'alice' } }, "one's own username is fine; no account, no profile")
})

t.test('truncating after any point restores the views of that point exactly (a partition undone)', async (t) => {
  const all = entries([...base, ...changes])
  for (let cut = base.length; cut < all.length; cut++) {
    const store = await Store.open(join(t.testdir(), `db-${cut}`))
    await store.append(all.slice(0, cut))
    const before = await snapshot(store)
    await store.append(all.slice(cut))
    await store.truncateAfter(cut)
    t.same(await snapshot(store), before, `after truncating to entry ${cut}`)
    await store.append(all.slice(cut))
    t.same(await store.views.profiles(), { alice: { displayName: 'Alice M.' }, bob: { status: 'lunch' } }, `and again after (${cut})`)
    await store.close()
  }
})
