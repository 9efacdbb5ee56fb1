/**
 * A catch-up checks thousands of signatures at once on every core (verify-pool.ts): the answers
 * are the same as checking one by one, in the same order, and a batch with one bad signature
 * deep inside it, wherever it falls among the threads' shares, is refused at exactly that entry.
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry, EntryBody, Submission } from '../../../shared/index.js'
import { checkBatch, signEntry } from '../../../daemon/accounts/index.js'
import { type SignatureJob, verifyAll, verifyHere } from '../../../daemon/accounts/verify-pool.js'
import { signedText } from '../../../shared/signing.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const submission = (n: number, body: EntryBody): Submission => ({
  id: `pool-${String(n).padStart(6, '0')}`,
  ts: 1_700_000_000_000 + n,
  origin: NODE,
  body,
})
const hello = (author: string, n: number): EntryBody => ({ type: 'message.posted', room: 'general', author, text: `hello ${n}` })

t.test('many signatures checked at once: each answer at its place', async (t) => {
  const people = new TestPeople()
  const alice = people.get('alice')
  const mallory = people.get('mallory')
  const jobs: SignatureJob[] = []
  const expected: boolean[] = []
  for (let n = 0; n < 700; n++) {
    const s = submission(n, hello('alice', n))
    // Every 97th is signed by mallory, every 101st has a malformed key: neither verifies.
    const signer = n % 97 === 5 ? mallory : alice
    const key = n % 101 === 7 ? 'not-a-key' : alice.keys.sign
    jobs.push({ text: signedText(s), key, sig: signEntry(s, signer.secrets, signer.keys) })
    expected.push(signer === alice && key === alice.keys.sign)
  }
  const fallbacks: Error[] = []
  const answers = await verifyAll(jobs, (err) => fallbacks.push(err))
  t.same(answers, expected, 'the same answers as checking one by one would give')
  t.same(answers, jobs.map(verifyHere), 'and as this thread gives')
  t.ok(expected.filter((v) => !v).length >= 13, 'the batch did hold bad signatures')
  t.same(fallbacks, [], 'no worker failed')
  t.same(await verifyAll([]), [], 'nothing to check, nothing answered')
})

t.test('a replica refuses a 2,000-entry batch at the one entry not signed by its author', async (t) => {
  const people = new TestPeople()
  const store = await Store.open(join(t.testdir(), 'replica'))
  t.teardown(() => store.close())
  const check = (entries: Entry[]) =>
    checkBatch(entries, { account: (u) => store.views.account(u), seqOf: (id) => store.log.ids.get(id) }, store.log.head)
  const alice = people.get('alice')
  const mallory = people.get('mallory')
  const batch: Entry[] = [
    { ...people.sign(submission(0, people.created('alice'))), seq: 1, term: 1 },
    { ...people.sign(submission(1, people.created('mallory'))), seq: 2, term: 1 },
  ]
  for (let n = 2; n < 2000; n++) batch.push({ ...alice.sign(submission(n, hello('alice', n))), seq: n + 1, term: 1 })
  t.same(await check(batch), { ok: true }, 'every entry signed by its author: taken')
  for (const at of [3, 999, 1998]) {
    const forged = batch.slice()
    const s = submission(at, hello('alice', at))
    forged[at] = { ...s, sig: signEntry(s, mallory.secrets, mallory.keys), seq: at + 1, term: 1 }
    t.match(await check(forged), { ok: false, code: 'bad_signature', entry: { seq: at + 1 } }, `forged at entry ${at + 1}: refused there`)
  }
  const twoWrongs = batch.slice()
  twoWrongs[1500] = { ...batch[1500], sig: undefined } as Entry
  twoWrongs[1700] = { ...(batch[2] as Entry), seq: 1701 }
  t.match(
    await check(twoWrongs),
    { ok: false, code: 'signature_required', entry: { seq: 1501 } },
    'the first wrong entry is the one reported, a missing signature before a replay',
  )
  const replayFirst = batch.slice()
  replayFirst[1200] = { ...(batch[2] as Entry), seq: 1201 }
  replayFirst[1600] = { ...batch[1600], sig: undefined } as Entry
  t.match(await check(replayFirst), { ok: false, code: 'claim_absurd', entry: { seq: 1201 } }, 'and a replay before a missing signature')
})
