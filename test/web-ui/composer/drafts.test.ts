/**
 * Drafts kept across reloads (issue 17): per account and room, cleared when sent, forgotten
 * at log-out, and kept in memory when the browser's storage refuses.
 */
import t from 'tap'
import { DraftStore, type KeyValueStore, MAX_DRAFT_CHARS } from '../../../web-ui/src/composer/draft-store-model.js'

/** A Storage look-alike; `full` makes setItem throw as a browser over its quota does. */
class FakeStorage implements KeyValueStore {
  readonly items = new Map<string, string>()
  full = false
  get length(): number {
    return this.items.size
  }
  key(i: number): string | null {
    return [...this.items.keys()][i] ?? null
  }
  getItem(k: string): string | null {
    return this.items.get(k) ?? null
  }
  setItem(k: string, v: string): void {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError')
    this.items.set(k, v)
  }
  removeItem(k: string): void {
    this.items.delete(k)
  }
}

t.test('a draft comes back for the same account and room only (a reload is a new store)', async (t) => {
  const storage = new FakeStorage()
  t.same(new DraftStore(storage).save('alice', 'general', 'half a thought'), { ok: true })
  const reloaded = new DraftStore(storage)
  t.equal(reloaded.load('alice', 'general'), 'half a thought')
  t.equal(reloaded.load('alice', 'r-design'), '', 'another room has none')
  t.equal(reloaded.load('bob', 'general'), '', 'another person at the same browser sees none')
})

t.test('a blank draft is removed, not stored', async (t) => {
  const storage = new FakeStorage()
  const drafts = new DraftStore(storage)
  drafts.save('alice', 'general', 'x')
  drafts.save('alice', 'general', '  \n ')
  t.equal(storage.length, 0)
  t.equal(drafts.load('alice', 'general'), '')
})

t.test('keys cannot collide whatever the names hold', async (t) => {
  const storage = new FakeStorage()
  const drafts = new DraftStore(storage)
  drafts.save('a:b', 'c', 'one')
  drafts.save('a', 'b:c', 'two')
  t.equal(drafts.load('a:b', 'c'), 'one')
  t.equal(drafts.load('a', 'b:c'), 'two')
})

t.test('sending clears the draft, unless it changed since (typed on while sending)', async (t) => {
  const drafts = new DraftStore(new FakeStorage())
  drafts.save('alice', 'general', 'hello')
  drafts.sent('alice', 'general', 'hello')
  t.equal(drafts.load('alice', 'general'), '')
  drafts.save('alice', 'general', 'hello again')
  drafts.sent('alice', 'general', 'hello')
  t.equal(drafts.load('alice', 'general'), 'hello again')
})

t.test('a huge paste is cut, so it cannot fill the quota', async (t) => {
  const drafts = new DraftStore(new FakeStorage())
  drafts.save('alice', 'general', 'x'.repeat(MAX_DRAFT_CHARS * 3))
  t.equal(drafts.load('alice', 'general').length, MAX_DRAFT_CHARS)
})

t.test("log-out forgets that account's drafts and no one else's", async (t) => {
  const storage = new FakeStorage()
  storage.setItem('so-chat:theme:alice', 'dark')
  const drafts = new DraftStore(storage)
  drafts.save('alice', 'general', 'a1')
  drafts.save('alice', 'r-x', 'a2')
  drafts.save('alicia', 'general', 'b1')
  drafts.forget('alice')
  t.equal(drafts.load('alice', 'general'), '')
  t.equal(drafts.load('alice', 'r-x'), '')
  t.equal(drafts.load('alicia', 'general'), 'b1', 'a name that starts the same is another person')
  t.equal(storage.getItem('so-chat:theme:alice'), 'dark', 'other keys stay')
})

t.test('storage full or missing: the draft lives in memory and the failure is told', async (t) => {
  const storage = new FakeStorage()
  const drafts = new DraftStore(storage)
  storage.full = true
  const result = drafts.save('alice', 'general', 'kept anyway')
  t.equal(result.ok, false)
  t.equal(drafts.load('alice', 'general'), 'kept anyway')
  storage.full = false
  t.same(drafts.save('alice', 'general', 'stored now'), { ok: true })
  t.equal(new DraftStore(storage).load('alice', 'general'), 'stored now')

  const none = new DraftStore(null)
  t.equal(none.save('alice', 'general', 'only here').ok, false)
  t.equal(none.load('alice', 'general'), 'only here')
  none.forget('alice')
  t.equal(none.load('alice', 'general'), '')
})
