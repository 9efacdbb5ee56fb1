/**
 * The relay's validation of encrypted rooms (daemon/relay/validate.ts `BatchState`: signature,
 * then the rule book, against the views as this batch has changed them): a key made in the
 * batch counts for the messages after it, and so does a leave — a message sealed under the key
 * of before the leave is stale in the same batch; the member who left can make no key and is
 * given none; plain text is refused once the room is encrypted; a key in someone else's name
 * is refused on its signature.
 */
import { join } from 'node:path'
import t from 'tap'
import { BatchState } from '../../../daemon/relay/validate.js'
import { newRoomKey, roomKeyCommitment, sealRoomKey } from '../../../daemon/sealing/index.js'
import { Store } from '../../../daemon/store/index.js'
import type { Entry, EntryBody, Submission } from '../../../shared/index.js'
import { TestPeople } from '../../lib/accounts.js'

const ROOM = 'r-abcdefghijkl'
const NODE = '0123456789abcdef'
const people = new TestPeople('alice', 'bob')

async function roomKey(epoch: number, by: string, to: string[]): Promise<EntryBody> {
  const key = await newRoomKey()
  const sealed: Record<string, string> = {}
  for (const name of to) sealed[name] = await sealRoomKey(key, people.get(name).keys.box)
  return { type: 'room.key', room: ROOM, by, epoch, sealed, commitment: await roomKeyCommitment(key, { room: ROOM, epoch }) }
}
const sealedPost = (epoch: number): EntryBody => ({
  type: 'message.posted',
  room: ROOM,
  author: 'alice',
  text: '',
  sealed: { epoch, nonce: 'A'.repeat(32), ct: 'B'.repeat(40) },
})

t.test('one batch: keys, a leave and sealed messages, in order', async (t) => {
  const store = await Store.open(join(t.testdir(), 'db'))
  t.teardown(() => store.close())
  const setup: EntryBody[] = [
    people.created('alice'),
    people.created('bob'),
    { type: 'room.created', room: ROOM, kind: 'private', name: 'plans', topic: '', creator: 'alice', members: ['alice', 'bob'] },
  ]
  await store.append(
    setup.map((body, i): Entry => ({ ...people.sign({ id: `setup-${i}-xxxx`, ts: 1000 + i, origin: NODE, body }), seq: i + 1, term: 1 })),
  )

  const batch = new BatchState(store.views, async () => true, store.log.head)
  let n = 0
  let seq = store.log.head
  const submit = async (body: EntryBody, signer?: string): Promise<{ ok: boolean; code?: string }> => {
    const s: Submission = { id: `batch-${++n}-xxxx`, ts: Date.now(), origin: NODE, body }
    const signed = signer ? people.get(signer).sign(s) : people.sign(s)
    const verdict = await batch.validate(signed)
    if (verdict.ok) await batch.accept({ ...signed, seq: ++seq, term: 1 })
    return verdict.ok ? { ok: true } : { ok: false, code: verdict.code }
  }

  t.same(await submit(await roomKey(1, 'alice', ['alice', 'bob'])), { ok: true }, 'the first key')
  t.same(await submit(sealedPost(1)), { ok: true }, 'a message sealed under it, in the same batch')
  t.match(await submit({ type: 'message.posted', room: ROOM, author: 'alice', text: 'in the clear' }), { code: 'room_encrypted' })
  t.same(await submit({ type: 'room.left', room: ROOM, username: 'bob' }), { ok: true }, 'bob leaves')
  t.match(await submit(sealedPost(1)), { code: 'room_key_stale' }, 'the key from before the leave is stale at once')
  t.match(await submit(await roomKey(2, 'alice', ['alice', 'bob'])), { code: 'room_key_invalid' }, 'a key that still includes bob')
  t.match(await submit(await roomKey(2, 'bob', ['alice'])), { code: 'not_a_member' }, 'a key made by bob, who left')
  t.match(await submit(await roomKey(2, 'alice', ['alice']), 'bob'), { code: 'bad_signature' }, 'a key in alice’s name, signed by bob')
  t.same(await submit(await roomKey(2, 'alice', ['alice'])), { ok: true }, 'alice’s key for herself')
  t.same(await submit(sealedPost(2)), { ok: true }, 'and a message under it')
  t.match(await submit(await roomKey(2, 'alice', ['alice'])), { code: 'room_key_invalid' }, 'a second key for the same epoch')
})
