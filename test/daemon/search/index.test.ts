/**
 * The disk index (daemon/search): tokenising across scripts, accents, CJK and emoji; every
 * filter; edits, deletes and truncation reflected exactly; rebuilt from the log when missing,
 * from another version, or not on the log; private rooms only for members.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { IndexDb, Search, SEARCH_FILE, SqliteThread } from '../../../daemon/search/index.js'
import { Fixture } from './search-lib.js'

const SHA = 'a'.repeat(64)

t.test('words in any script match regardless of case and accents', async (t) => {
  const f = await Fixture.open(t)
  await f.post('Le café est prêt à Zürich')
  await f.post('Привет, мир! Ёлка')
  await f.post('ΆΝΘΡΩΠΟΣ και θάλασσα')
  await f.post('東京タワーに行きました')
  await f.post('party time 🎉 and 👍🏽')
  await f.post('the deployment went well')
  t.same(await f.find('CAFE'), ['Le café est prêt à Zürich'], 'case and accents folded (Latin)')
  t.same(await f.find('zurich pret'), ['Le café est prêt à Zürich'])
  t.same(await f.find('привет'), ['Привет, мир! Ёлка'], 'Cyrillic')
  t.same(await f.find('елка'), ['Привет, мир! Ёлка'], 'Ё folds to Е')
  t.same(await f.find('ανθρωπος'), ['ΆΝΘΡΩΠΟΣ και θάλασσα'], 'Greek, with its tonos')
  t.same(await f.find('タワー'), ['東京タワーに行きました'], 'a word inside unspaced Japanese')
  t.same(await f.find('東京'), ['東京タワーに行きました'])
  t.same(await f.find('京東'), [], 'CJK characters match in order, not as a bag')
  t.same(await f.find('🎉'), ['party time 🎉 and 👍🏽'], 'emoji are findable')
  t.same(await f.find('👍'), ['party time 🎉 and 👍🏽'], 'whatever the skin tone')
  t.same(await f.find('deplo'), ['the deployment went well'], 'every word is a prefix')
  t.same(await f.find('"deplo went"'), [], 'not inside a phrase')
  t.same(await f.find('"deployment went"'), ['the deployment went well'])
  t.same(await f.find('"went deployment"'), [], 'a phrase keeps its order')
  t.same(await f.find('?'), [], 'punctuation alone matches nothing')
})

t.test('filters: from:, in:, has:, dates, exclusion; newest first and paging', async (t) => {
  const f = await Fixture.open(t)
  await f.add({ type: 'room.created', room: 'r-design000001', kind: 'public', name: 'design', topic: '', creator: 'bob', members: ['bob'] })
  const png = { sha256: SHA, name: 'mock-up.png', size: 10, mime: 'image/png' }
  const pdf = { sha256: SHA, name: 'quarterly-report.pdf', size: 10, mime: 'application/pdf' }
  await f.post('plan one', 'alice')
  await f.post('plan two', 'bob', 'r-design000001', [png])
  await f.post('plan three see https://example.com', 'bob')
  await f.post('plan four', 'alice', 'general', [pdf])
  t.same(await f.find('plan'), ['plan four', 'plan three see https://example.com', 'plan two', 'plan one'], 'newest first')
  t.same(await f.find('plan from:bob'), ['plan three see https://example.com', 'plan two'])
  t.same(await f.find('plan from:@BOB in:#design'), ['plan two'], 'from: and in: together, without case')
  t.same(await f.find('plan in:r-design000001'), ['plan two'], 'in: by id')
  t.same(await f.find('plan in:#nowhere'), [])
  t.same(await f.find('has:file'), ['plan four', 'plan two'], 'a filter alone')
  t.same(await f.find('has:picture'), ['plan two'])
  t.same(await f.find('has:link'), ['plan three see https://example.com'])
  t.same(await f.find('quarterly'), ['plan four'], 'file names are words')
  t.same(await f.find('mock'), ['plan two'])
  t.same(await f.find('plan -two -"plan three"'), ['plan four', 'plan one'], 'exclusions')
  t.same(await f.find('plan during:2026-11-01'), ['plan four', 'plan three see https://example.com', 'plan two', 'plan one'])
  t.same(await f.find('plan before:2026-11-01'), [])
  t.same(await f.find('plan after:2026-11-01'), [])
  t.same(await f.find('plan', 'alice', { from: 'alice' }), ['plan four', 'plan one'], 'from= in the address')
  t.same(await f.find('plan from:bob', 'alice', { from: 'alice' }), [], 'two different authors: nobody')
  const first = await f.answer('plan', 'alice', { limit: 3 })
  t.equal(first.results.length, 3)
  t.ok(first.next, 'a full page says where the next begins')
  const second = await f.answer('plan', 'alice', { limit: 3, cursor: first.next! })
  t.same(
    second.results.map((r) => r.message.text),
    ['plan one'],
  )
  const best = await f.answer('plan', 'alice', { sort: 'best', limit: 2 })
  const best2 = await f.answer('plan', 'alice', { sort: 'best', limit: 2, cursor: best.next! })
  t.equal(new Set([...best.results, ...best2.results].map((r) => r.message.id)).size, 4, 'best first pages through every match once')
  await t.rejects(f.answer('plan', 'alice', { cursor: 'b3' }), { code: 'bad_cursor' })
  await t.rejects(f.answer('plan', 'alice', { cursor: 'nonsense' }), { code: 'bad_cursor' })
  const hl = (await f.answer('Plan FOU')).results[0]!
  t.same(
    hl.highlights,
    [
      { start: 0, end: 4 },
      { start: 5, end: 9 },
    ],
    'highlights are ranges of the text',
  )
})

t.test('private rooms are found by members only, and not after they leave', async (t) => {
  const f = await Fixture.open(t)
  await f.add({
    type: 'room.created',
    room: 'r-secret000001',
    kind: 'private',
    name: 'secret',
    topic: '',
    creator: 'alice',
    members: ['alice', 'carol'],
  })
  await f.post('the eagle lands at noon', 'alice', 'r-secret000001')
  t.same(await f.find('eagle', 'alice'), ['the eagle lands at noon'])
  t.same(await f.find('eagle', 'carol'), ['the eagle lands at noon'])
  t.same(await f.find('eagle', 'mallory'), [], 'not by a non-member')
  t.same(await f.find('eagle in:#secret', 'mallory'), [], 'not by naming the room')
  t.same(await f.find('eagle', 'mallory', { room: 'r-secret000001' }), [], 'nor by its id')
  await f.add({ type: 'room.left', room: 'r-secret000001', username: 'carol' })
  t.same(await f.find('eagle', 'carol'), [], 'someone who left finds nothing of it any more')
})

t.test('edits, deletes and truncation: the index matches the log exactly', async (t) => {
  const f = await Fixture.open(t)
  const a = await f.post('original words here')
  const b = await f.post('keep this one')
  await f.add({ type: 'message.edited', room: 'general', target: a.id, author: 'alice', text: 'replacement text' })
  t.same(await f.find('original'), [], 'old words of an edited message are gone')
  t.same(await f.find('replacement'), ['replacement text'], 'its new words are found')
  await f.add({ type: 'message.deleted', room: 'general', target: b.id, author: 'alice' })
  t.same(await f.find('keep'), [], 'a deleted message is not found')
  t.same(await f.search.disk.seqs(), [a.seq], 'nor kept in the index')
  // A partition merge takes back the delete and the edit: the index goes back with the views.
  await f.truncateAfter(b.seq)
  t.same(await f.find('original'), ['original words here'], 'the undone edit is undone in the index')
  t.same(await f.find('keep'), ['keep this one'], 'the undone delete too')
  await f.truncateAfter(a.seq)
  t.same(await f.find('keep'), [], 'a message taken back is not found: no ghost')
  t.same(await f.search.disk.seqs(), [a.seq])
  t.equal(f.search.indexer.seq, a.seq, 'the mark moved back with the log')
  await f.post('after the merge')
  t.same(await f.search.disk.seqs(), [a.seq, a.seq + 1], 'what is applied again is indexed again')
})

t.test('rebuilt from the log when missing, of another version, or off the log', async (t) => {
  const f = await Fixture.open(t)
  for (let i = 0; i < 30; i++) await f.post(`message number ${i} sunflower`)
  const file = join(f.dir, SEARCH_FILE)
  const reopen = async () => {
    await f.search.close() // a second close does nothing
    f.search = await Search.open(f.dir, f.store, pino({ level: 'silent' }))
    await f.search.indexer.settled()
    return f.search.disk.count()
  }
  await f.search.close()
  await rm(file)
  await rm(`${file}-wal`, { force: true })
  await rm(`${file}-shm`, { force: true })
  f.search = await Search.open(f.dir, f.store, pino({ level: 'silent' }))
  const progress = f.search.indexer.progress()
  t.same(progress, { done: 0, total: 30 }, 'a rebuild reports "N of M"')
  await f.search.indexer.settled()
  t.equal(await f.search.disk.count(), 30, 'a missing index is rebuilt')
  t.equal(f.search.indexer.progress(), null, 'and says so when done')
  t.equal((await f.find('sunflower')).length, 30)
  t.same(await f.search.disk.indexes(), ['docs_author', 'docs_room'], 'a rebuild writes docs without its indexes, then makes them')

  // An index of an older version: rebuilt (a stray row shows whether it was).
  const thread = new SqliteThread()
  await f.search.close()
  const raw = new IndexDb(thread, 'raw')
  await raw.open(file)
  await raw.write([{ seq: 999, id: 'ghost', room: 'general', author: 'x', ts: 0, flags: 0, body: 'ghost', tags: '' }], [], {
    seq: 30,
    chain: (await f.store.log.chainAt(30))!,
  })
  await thread.batch('raw', [{ sql: "UPDATE meta SET v = 0 WHERE k = 'version'" }])
  await raw.close()
  await thread.stop()
  f.search = await Search.open(f.dir, f.store, pino({ level: 'silent' }))
  await f.search.indexer.settled()
  t.equal(await f.search.disk.count(), 30, 'an older version is rebuilt (the stray row is gone)')

  // A mark that is not on this log (another chain value at its seq): rebuilt.
  const thread2 = new SqliteThread()
  await f.search.close()
  const raw2 = new IndexDb(thread2, 'raw')
  await raw2.open(file)
  await raw2.write([{ seq: 999, id: 'ghost', room: 'general', author: 'x', ts: 0, flags: 0, body: 'ghost', tags: '' }], [], {
    seq: 30,
    chain: 'f'.repeat(64),
  })
  await raw2.close()
  await thread2.stop()
  t.equal(await reopen(), 30, 'an index of another history is rebuilt')
  t.equal(await reopen(), 30, 'a sound index is kept as it is')
})
