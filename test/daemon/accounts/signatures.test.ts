/**
 * Nobody writes in someone else's name (issue 14): the relay orders an entry only if the
 * account it speaks for signed it, over exactly what it says, and every replica checks each
 * batch the relay sends before applying any of it. A modified daemon that posts, edits,
 * reacts, joins or invites as alice, or that changes a signed entry on the way, is refused
 * with a code and nothing is written. Accounts from before account keys pass unsigned until
 * they get keys; new ones without keys are refused.
 */
import t from 'tap'
import { join } from 'node:path'
import type { Entry, EntryBody, PasswordHash, Submission } from '../../../shared/index.js'
import { checkBatch, signEntry } from '../../../daemon/accounts/index.js'
import { Sequencer } from '../../../daemon/relay/sequencer.js'
import { Replica } from '../../../daemon/replica/index.js'
import { Store } from '../../../daemon/store/index.js'
import { TestPeople } from '../../lib/accounts.js'

const NODE = '0123456789abcdef'
const LEGACY: PasswordHash = { algo: 'scrypt', N: 16384, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==', hash: 'a'.repeat(44) }
let n = 0
const newId = () => `sig-${String(++n).padStart(6, '0')}`
const unsigned = (body: EntryBody): Submission => ({ id: newId(), ts: Date.now(), origin: NODE, body })

async function relayWith(t: { testdir: () => string; teardown: (fn: () => unknown) => void }, people: TestPeople, ...names: string[]) {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const sequencer = new Sequencer(new Replica(store), 1, () => undefined)
  for (const name of names) {
    const outcome = await sequencer.order(people.sign(unsigned(people.created(name))))
    if (!outcome.ok) throw new Error(`${name}: ${outcome.message}`)
  }
  return { store, sequencer }
}

const hello = (author: string): EntryBody => ({ type: 'message.posted', room: 'general', author, text: 'hello' })

t.test('the relay orders what its author signed, and nothing made in their name by another', async (t) => {
  const people = new TestPeople()
  const { store, sequencer } = await relayWith(t, people, 'alice', 'bob', 'mallory')
  const alice = people.get('alice')
  const mallory = people.get('mallory')
  t.match(await sequencer.order(alice.sign(unsigned(hello('alice')))), { ok: true }, "alice's own message, signed by her")
  const head = store.log.head

  const forged: [string, EntryBody][] = [
    ['posting as alice', hello('alice')],
    [
      'creating a room as alice',
      {
        type: 'room.created',
        room: 'r-aaaaaaaaaaaa',
        kind: 'private',
        name: 'plans',
        topic: '',
        creator: 'alice',
        members: ['alice', 'mallory'],
      },
    ],
    ['joining bob to a room "by alice"', { type: 'room.joined', room: 'general', username: 'bob', by: 'alice' }],
    ['a read mark as bob', { type: 'read.marked', room: 'general', username: 'bob', seq: 1 }],
    ['a picture for bob', { type: 'account.avatar', username: 'bob', avatar: null }],
  ]
  for (const [what, body] of forged) {
    t.match(
      await sequencer.order(mallory.sign(unsigned(body))),
      { ok: false, code: 'bad_signature', message: /not signed by "(alice|bob)"/ },
      `${what}, signed by mallory: bad_signature`,
    )
    t.match(await sequencer.order(unsigned(body)), { ok: false, code: 'signature_required' }, `${what}, unsigned: signature_required`)
  }
  t.equal(store.log.head, head, 'nothing was written')
})

t.test('a signed entry changed on the way, or replayed under another id, is refused', async (t) => {
  const people = new TestPeople()
  const { store, sequencer } = await relayWith(t, people, 'alice')
  const signed = people.sign(unsigned(hello('alice')))
  const head = store.log.head
  const changed: [string, Submission][] = [
    ['another text', { ...signed, body: { type: 'message.posted', room: 'general', author: 'alice', text: 'I resign' } }],
    ['another room', { ...signed, body: { ...hello('alice'), room: 'r-bbbbbbbbbbbb' } as EntryBody }],
    ['another time', { ...signed, ts: signed.ts + 1 }],
    ['another origin', { ...signed, origin: 'fedcba9876543210' }],
    ['another id (a replay that would dodge de-duplication)', { ...signed, id: newId() }],
    ['a signature with its end changed', { ...signed, sig: changedEnd(signed.sig ?? '') }],
  ]
  for (const [what, s] of changed) t.match(await sequencer.order(s), { ok: false, code: 'bad_signature' }, what)
  t.equal(store.log.head, head, 'nothing was written')
  t.match(await sequencer.order(signed), { ok: true }, 'the entry as signed goes in')
  t.match(await sequencer.order(signed), { ok: true, seq: head + 1 }, 'and sent again it is the same entry (de-duplicated by id)')
})

t.test('a new account signs its own keys; an account without keys is no longer made', async (t) => {
  const people = new TestPeople()
  const { sequencer } = await relayWith(t, people)
  const carol = people.get('carol')
  const stolen = { ...people.created('dave'), username: 'carol' }
  t.match(
    await sequencer.order(carol.sign(unsigned(stolen))),
    { ok: false, code: 'bad_signature' },
    "publishing keys one does not hold (dave's, signed by carol)",
  )
  t.match(await sequencer.order(unsigned(people.created('carol'))), { ok: false, code: 'signature_required' }, 'an unsigned sign-up')
  t.match(
    await sequencer.order(unsigned({ type: 'account.created', username: 'olda', password: LEGACY })),
    { ok: false, code: 'signature_required', message: /older SO-CHAT/ },
    'a sign-up without keys, from an older daemon',
  )
  // The identity point: its "signature" 01 00…00 verifies every message, so it would sign for anyone.
  const identity = Buffer.alloc(32)
  identity[0] = 1
  const weak = { ...people.created('erin'), keys: { sign: identity.toString('base64url'), box: identity.toString('base64url') } }
  const anything = Buffer.alloc(64)
  anything[0] = 1
  t.match(
    await sequencer.order({ ...unsigned(weak), sig: anything.toString('base64url') }),
    { ok: false, code: 'bad_signature', message: /not usable keys/ },
    'a weak key that signs for anyone is refused',
  )
  // The last of 43 characters carries 4 bits of the key and 2 unused ones: flip an unused one.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = ALPHABET.indexOf(carol.keys.sign.slice(-1))
  const respelt = carol.keys.sign.slice(0, -1) + ALPHABET.charAt(last ^ 1)
  t.ok(Buffer.from(respelt, 'base64url').equals(Buffer.from(carol.keys.sign, 'base64url')), 'the same key, spelt another way')
  t.match(
    await sequencer.order(carol.sign(unsigned({ ...people.created('carol'), keys: { ...carol.keys, sign: respelt } }))),
    { ok: false, code: 'bad_signature', message: /not usable keys/ },
    'and a second spelling of a key is refused too',
  )
  t.match(await sequencer.order(carol.sign(unsigned(people.created('carol')))), { ok: true }, 'carol with her own keys')
})

t.test('an account from before account keys: unsigned until it gets keys, then only signed', async (t) => {
  const people = new TestPeople()
  const { store, sequencer } = await relayWith(t, people)
  // In the log from before this change (a replica takes it; the relay would not make it now).
  const old: Entry = { ...unsigned({ type: 'account.created', username: 'olga', password: LEGACY }), seq: 1, term: 1 }
  await store.append([old])
  t.match(await sequencer.order(unsigned(hello('olga'))), { ok: true }, 'her unsigned message still goes in')
  const olga = people.get('olga')
  const keys = people.created('olga')
  const upgrade: EntryBody = {
    type: 'account.keys',
    username: 'olga',
    keys: keys.keys ?? { sign: '', box: '' },
    wrapped: keys.wrapped ?? ({} as never),
  }
  t.match(await sequencer.order(olga.sign(unsigned(upgrade))), { ok: true }, 'her first log-in since: keys, signed with them')
  t.notOk((await store.views.account('olga'))?.password, 'the replicated verifier is gone from the view')
  t.match(
    await sequencer.order(unsigned(hello('olga'))),
    { ok: false, code: 'signature_required' },
    'unsigned in her name is refused from now on',
  )
  t.match(await sequencer.order(olga.sign(unsigned(hello('olga')))), { ok: true }, 'signed, it goes in')
  const other = people.get('someone else')
  const swap: EntryBody = { ...upgrade, keys: people.created('someone else').keys ?? keys.keys ?? { sign: '', box: '' } }
  t.match(await sequencer.order(other.sign(unsigned(swap))), { ok: false, code: 'bad_signature' }, 'new keys need her current key')
  t.match(
    await sequencer.order(olga.sign(unsigned(swap))),
    { ok: false, code: 'bad_request', message: /already has keys/ },
    'and even signed by her, keys are kept',
  )
})

t.test('a replica checks a batch from the relay before applying any of it', async (t) => {
  const people = new TestPeople()
  const store = await Store.open(join(t.testdir(), 'replica'))
  t.teardown(() => store.close())
  const check = (entries: Entry[]) =>
    checkBatch(entries, { account: (u) => store.views.account(u), seqOf: (id) => store.log.ids.get(id) }, store.log.head)
  const at = (s: Submission, seq: number): Entry => ({ ...s, seq, term: 1 })
  const alice = people.get('alice')
  const mallory = people.get('mallory')
  const batch = [
    at(people.sign(unsigned(people.created('alice'))), 1),
    at(people.sign(unsigned(people.created('mallory'))), 2),
    at(alice.sign(unsigned(hello('alice'))), 3),
  ]
  t.same(await check(batch), { ok: true }, 'accounts made earlier in the batch sign the entries after them')
  const forged = at(mallory.sign(unsigned(hello('alice'))), 4)
  t.match(
    await check([...batch, forged]),
    { ok: false, code: 'bad_signature', entry: { seq: 4 } },
    "a relay that slips in an entry in alice's name is caught, at that entry",
  )
  await store.append(batch)
  t.same(
    await check(batch),
    { ok: true },
    'entries we have already (a catch-up may send one twice) are passed over, as the store passes them',
  )
  const signedByMallory = {
    ...at(alice.sign(unsigned(hello('alice'))), 4),
    sig: signEntry(unsigned(hello('alice')), mallory.secrets, mallory.keys),
  }
  t.match(await check([signedByMallory]), { ok: false, code: 'bad_signature' }, 'against keys already in the log too')
  const replayed = { ...(batch[2] as Entry), seq: 4 }
  t.match(
    await check([replayed]),
    { ok: false, code: 'claim_absurd', message: /in the log already \(seq 3\)/ },
    "alice's own message again under a new seq: a replay",
  )
  const twice = at(alice.sign(unsigned(hello('alice'))), 4)
  t.match(await check([twice, { ...twice, seq: 5 }]), { ok: false, code: 'claim_absurd', entry: { seq: 5 } }, 'or twice in one batch')
  const twin = new TestPeople('alice')
  const takeover = [at(twin.sign(unsigned(twin.created('Alice'))), 4), at(twin.sign(unsigned(hello('alice'))), 5)]
  t.match(
    await check(takeover),
    { ok: false, code: 'username_taken', entry: { seq: 4 } },
    'a relay that sends a second "Alice" with keys of its own, to sign as her, is caught at that entry',
  )
  t.match(
    await check([at(twin.sign(unsigned(twin.created('zed'))), 4), at(twin.sign(unsigned(twin.created('Zed'))), 5)]),
    { ok: false, code: 'username_taken', entry: { seq: 5 } },
    'inside one batch too',
  )
  t.match(await check([at(unsigned(hello('ghost')), 4)]), { ok: false, code: 'unknown_author' }, 'an entry by a name with no account')
  const legacy: Entry = at(unsigned({ type: 'account.created', username: 'olga', password: LEGACY }), 4)
  t.same(await check([legacy, at(unsigned(hello('olga')), 5)]), { ok: true }, 'history from before account keys is taken as it is')
})

/**
 * The signature with its last two characters replaced by others. Always "AA" failed one run in
 * about 256: a signature that already ended in "AA" stayed valid (CI, 2026-12-01).
 */
function changedEnd(sig: string): string {
  return `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BA' : 'AA'}`
}
