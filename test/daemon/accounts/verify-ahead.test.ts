/**
 * Signatures sent ahead to the worker threads as a frame arrives (verify-ahead.ts) decide
 * nothing: the batch is checked in order as before, an answer sent ahead counts only for the
 * very same check, a bad signature deep in a frame is refused at that entry, and a frame whose
 * keys were not known when it arrived (they come in a frame not yet applied) is checked on the
 * spot, rightly.
 */
import t, { type Test } from 'tap'
import { join } from 'node:path'
import type { Entry, EntryBody, Submission } from '../../../shared/index.js'
import { checkBatch, type LogDirectory, signEntry, VerifyAhead } from '../../../daemon/accounts/index.js'
import { signedText } from '../../../shared/signing.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const submission = (n: number, body: EntryBody): Submission => ({
  id: `ahead-${String(n).padStart(6, '0')}`,
  ts: 1_700_000_000_000 + n,
  origin: NODE,
  body,
})
const hello = (author: string, n: number): EntryBody => ({ type: 'message.posted', room: 'general', author, text: `hello ${n}` })

async function replica(t: Test) {
  const store = await Store.open(join(t.testdir(), 'replica'))
  t.teardown(() => store.close())
  const directory: LogDirectory = {
    account: (u) => store.views.account(u),
    seqOf: (id) => store.log.seqOf(id),
    seqsOf: (ids) => store.log.seqsOf(ids),
  }
  const fallbacks: Error[] = []
  const ahead = new VerifyAhead(directory, (err) => fallbacks.push(err))
  const check = (entries: Entry[]) => checkBatch(entries, directory, store.log.head, (err) => fallbacks.push(err), ahead)
  return { store, ahead, check, fallbacks }
}

t.test('a frame sent ahead with one forged entry in the middle: refused at that entry, nothing taken on trust', async (t) => {
  const people = new TestPeople()
  const { store, ahead, check, fallbacks } = await replica(t)
  const alice = people.get('alice')
  const mallory = people.get('mallory')
  const first: Entry[] = [
    { ...people.sign(submission(0, people.created('alice'))), seq: 1, term: 1 },
    { ...people.sign(submission(1, people.created('mallory'))), seq: 2, term: 1 },
  ]
  await store.append(first)
  const frame: Entry[] = []
  for (let n = 2; n < 1000; n++) frame.push({ ...alice.sign(submission(n, hello('alice', n))), seq: n + 1, term: 1 })
  const forged = frame.slice()
  const s = submission(600, hello('alice', 600))
  forged[598] = { ...s, sig: signEntry(s, mallory.secrets, mallory.keys), seq: 601, term: 1 }
  ahead.send(frame)
  ahead.send(forged)
  t.same(await check(frame), { ok: true }, 'every entry signed by its author: taken')
  t.match(await check(forged), { ok: false, code: 'bad_signature', entry: { seq: 601 } }, 'the forged one is refused, at its place')
  const job = { text: signedText(frame[10]!), key: alice.keys.sign, sig: frame[10]!.sig! }
  t.equal(await ahead.answer(frame[10]!, job), true, 'the answer sent ahead is there for the very same check')
  t.equal(await ahead.answer(frame[10]!, { ...job, key: mallory.keys.sign }), undefined, 'and for no other key')
  t.equal(await ahead.answer(frame[10]!, { ...job, sig: forged[598]!.sig! }), undefined, 'nor another signature')
  t.equal(await ahead.answer({ ...frame[10]! }, job), undefined, 'nor another entry object')
  t.match(
    await check([frame[0]!, { ...first[1]!, seq: 4 }]),
    { ok: false, code: 'claim_absurd', entry: { seq: 4 } },
    'an entry the log holds already, sent again under another seq, is a replay (the batch’s ids read at once)',
  )
  t.same(fallbacks, [], 'no worker failed')
})

t.test('keys that come in a frame not applied yet when the next one arrives: that one is checked on the spot', async (t) => {
  const people = new TestPeople()
  const { store, ahead, check } = await replica(t)
  const alice = people.get('alice')
  const mallory = people.get('mallory')
  const accounts: Entry[] = [
    { ...people.sign(submission(0, people.created('alice'))), seq: 1, term: 1 },
    { ...people.sign(submission(1, people.created('mallory'))), seq: 2, term: 1 },
  ]
  const messages: Entry[] = []
  for (let n = 2; n < 200; n++) messages.push({ ...alice.sign(submission(n, hello('alice', n))), seq: n + 1, term: 1 })
  const s = submission(150, hello('alice', 150))
  const forged = messages.slice()
  forged[148] = { ...s, sig: signEntry(s, mallory.secrets, mallory.keys), seq: 151, term: 1 }
  // Both arrive before the first is applied: nobody had keys when the second was sent ahead.
  ahead.send(accounts)
  ahead.send(messages)
  ahead.send(forged)
  t.same(await check(accounts), { ok: true })
  await store.append(accounts)
  t.same(await check(messages), { ok: true }, 'the good frame is taken')
  t.match(await check(forged), { ok: false, code: 'bad_signature', entry: { seq: 151 } }, 'the forged one is still caught')
})
