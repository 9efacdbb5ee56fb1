/**
 * Sealed messages (daemon/search/sealed.ts): never in the disk index; found by a member through
 * their own in-memory index, built with the opener they bring; kept up to date with edits,
 * deletes and truncation; closed when their last session ends. The "opener" here stands in for
 * daemon/http/message-opener.ts: it opens a sealed message for members only.
 */
import t from 'tap'
import { type Message, parseSearchQuery, type SealedContent } from '../../../shared/index.js'
import { Fixture } from './search-lib.js'

const ROOM = 'r-sealed000001'
const texts = new Map<string, string>()
const sealed = (text: string): SealedContent => {
  const ct = Buffer.from(text).toString('base64url') || 'AA'
  texts.set(ct, text)
  return { epoch: 1, nonce: 'A'.repeat(32), ct }
}
/** Opens for members of ROOM (alice, bob) only, as a room key sealed to them would. */
const openerFor = (who: string) => async (m: Message) => {
  const { sealed: s, ...rest } = m
  if (!s) return rest
  if (!['alice', 'bob'].includes(who)) return { ...rest, text: '', encrypted: true as const, unreadable: 'no_key' as const }
  return { ...rest, text: texts.get(s.ct) ?? '', encrypted: true as const }
}

async function setUp(t: Parameters<typeof Fixture.open>[0]) {
  const f = await Fixture.open(t)
  await f.add({ type: 'room.created', room: ROOM, kind: 'private', name: 'sealed', topic: '', creator: 'alice', members: ['alice', 'bob'] })
  // The store keeps whatever epoch an entry names; the room record's epoch is what marks it encrypted.
  await f.add({ type: 'room.key', room: ROOM, epoch: 1, by: 'alice', sealed: { alice: 'x', bob: 'x' }, commitment: 'c' } as never)
  return f
}

t.test('sealed words: in memory for members, never on disk, kept up to date, closed at log-out', async (t) => {
  const f = await setUp(t)
  const [posted] = await f.add({ type: 'message.posted', room: ROOM, author: 'alice', text: '', sealed: sealed('hidden albatross') })
  const find = async (q: string, who: string) => {
    const parsed = parseSearchQuery(q)
    if (!parsed.ok) throw new Error(q)
    return (await f.search.search(who, { query: parsed.query, limit: 20, sort: 'newest' }, openerFor(who))).results.map(
      (r) => r.message.text,
    )
  }
  t.same(await f.search.disk.seqs(), [], 'nothing sealed in the disk index')
  t.same(await find('albatross', 'alice'), ['hidden albatross'], 'a member finds it')
  t.same(f.search.sealed.open, ['alice'], 'through an index of her own')
  t.same(await find('albatross', 'mallory'), [], 'a non-member does not')
  t.notOk(f.search.sealed.open.includes('mallory'), 'and gets no in-memory index (not a member of any sealed room)')

  await f.add({ type: 'message.edited', room: ROOM, target: posted!.id, author: 'alice', text: '', sealed: sealed('hidden pelican') })
  t.same(await find('albatross', 'alice'), [], 'an edit takes the old words out of memory')
  t.same(await find('pelican', 'alice'), ['hidden pelican'])
  await f.truncateAfter(posted!.seq)
  t.same(await find('albatross', 'alice'), ['hidden albatross'], 'a truncation takes the edit back')
  await f.truncateAfter(posted!.seq - 1)
  t.same(await find('albatross', 'alice'), [], 'and a message taken back is gone from memory too')
  t.same(await f.search.disk.seqs(), [], 'still nothing on disk')

  await f.search.sealed.sessionsChanged(async (u) => u === 'bob')
  t.same(f.search.sealed.open, [], 'alice logged out: her index is closed')
})
