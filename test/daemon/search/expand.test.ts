/**
 * Prefix expansion (daemon/search/expand.ts): a newest-first query whose prefixes stand for
 * their exact words finds exactly what the plain `"word" *` query finds, page by page, over a
 * seeded corpus (prefixes of every length, common words, phrases, scripts and accents, every
 * filter, exclusions, paging with `before`); and the expansion really happens where it should
 * (and not for 2–3-letter prefixes, phrases of several tokens, or past its caps).
 */
import t from 'tap'
import { parseSearchQuery } from '../../../shared/index.js'
import { docOf, IndexDb, matchExpression, type SearchDoc, SqliteThread } from '../../../daemon/search/index.js'
import { EXPAND_PER_PREFIX, expandedMatch } from '../../../daemon/search/expand.js'
import type { IndexQuery } from '../../../daemon/search/index-db.js'

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let x = s
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const r = rng(15)
/** Skewed to the first (common words), or any (so every word of the vocabulary is in the index). */
const pickOf = <T>(xs: T[]): T => xs[Math.floor((r() < 0.5 ? r() * r() : r()) * xs.length)]!
// Words that share prefixes, so a prefix stands for several of them; one letter begins > 64 of them.
const SYLLABLES = ['de', 'plo', 'y', 'ment', 'ra', 'pa', 'con', 'fig', 'ing', 'ed', 'ta', 'ble', 'in', 'ter']
const WORDS = new Set<string>([
  'deploy',
  'deployment',
  'deployed',
  'Déploiement',
  'Ёлка',
  'елки',
  'Θάλασσα',
  'θαλασσινός',
  '東京',
  'e-mail',
  'email',
])
while (WORDS.size < 400) {
  let w = ''
  for (let k = 1 + Math.floor(r() * 4); k > 0; k--) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)]
  WORDS.add(w)
}
for (let i = 0; i < 80; i++) WORDS.add(`z${i.toString(36)}${'q'.repeat(i % 3)}`)
const VOCAB = [...WORDS]
const ROOMS = ['r-alpha000001', 'r-beta0000001', 'general']
const AUTHORS = ['alice', 'bob', 'carol']

function corpus(n: number): SearchDoc[] {
  const docs: SearchDoc[] = []
  for (let seq = 1; seq <= n; seq++) {
    const words = Array.from({ length: 1 + Math.floor(r() * 8) }, () => pickOf(VOCAB))
    if (r() < 0.1) words.push('https://example.org/x')
    const text = words.map((w) => (r() < 0.2 ? w.toUpperCase() : w)).join(r() < 0.5 ? ' ' : ', ')
    const files = r() < 0.05 ? [{ sha256: 'a'.repeat(64), name: `${pickOf(VOCAB)}.png`, size: 1, mime: 'image/png' }] : undefined
    const room = ROOMS[Math.floor(r() * ROOMS.length)]!
    docs.push(
      docOf({
        seq,
        id: `m${seq}`,
        room,
        author: pickOf(AUTHORS),
        ts: Date.UTC(2026, 10, 1) + seq * 60_000,
        text,
        ...(files ? { files } : {}),
      }),
    )
  }
  return docs
}

async function setUp(t: { teardown: (fn: () => unknown) => void }) {
  const thread = new SqliteThread()
  const db = new IndexDb(thread, 'x')
  await db.open(':memory:')
  t.teardown(async () => {
    await db.close()
    await thread.stop()
  })
  return { thread, db }
}

/** Every page of a query, newest first, `before` the last seq of each: the plain and the expanded way. */
async function pages(db: IndexDb, q: string, expand: boolean): Promise<number[][]> {
  const parsed = parseSearchQuery(q)
  if (!parsed.ok) throw new Error(`${q}: ${parsed.error.code}`)
  const match = matchExpression(parsed.query)
  if (!match) return []
  const narrowed = parsed.query.in.length > 0 ? parsed.query.in : undefined
  const base: IndexQuery = {
    ...match,
    ...(expand ? {} : { terms: undefined }),
    rooms: narrowed ?? ROOMS,
    ...(narrowed ? { narrowed } : {}),
    authors: parsed.query.from,
    flags: parsed.query.has.includes('picture') ? 2 : parsed.query.has.includes('link') ? 4 : 0,
    ...(parsed.query.since !== undefined ? { since: parsed.query.since } : {}),
    ...(parsed.query.until !== undefined ? { until: parsed.query.until } : {}),
    sort: 'newest',
    limit: 25,
  }
  const out: number[][] = []
  let before: number | undefined
  for (;;) {
    const hits = await db.search({ ...base, ...(before === undefined ? {} : { before }) })
    out.push(hits.map((h) => h.seq))
    if (hits.length < base.limit) return out
    before = hits[hits.length - 1]!.seq
  }
}

t.test('expanded prefixes find exactly what "word" * finds, page by page', async (t) => {
  const { db } = await setUp(t)
  const docs = corpus(3000)
  for (let i = 0; i < docs.length; i += 500) await db.write(docs.slice(i, i + 500), [], { seq: i + 500, chain: '' })
  // Some edits and deletes, so the vocabulary holds terms no row has any more (contentless_delete).
  await db.write(
    corpus(40).map((d, i) => ({ ...d, seq: 10 + i * 7 })),
    [11, 12, 13, 500, 501],
  )
  const queries = [
    'deplo',
    'DEPLOY',
    'deployment',
    'déplo',
    'deploi',
    'de',
    'dep',
    'd',
    'z',
    'zq',
    'plo',
    'con fig',
    'conf',
    'configing',
    'ta ble ment',
    'rapa tabl',
    'елк',
    'ЁЛКИ',
    'θαλα',
    'ΘΆΛΑΣ',
    '東',
    '東京',
    'e-ma',
    'emai',
    '"deployment"',
    '"deploy deployment"',
    'deplo -deployed',
    'conf -"ta ble"',
    'deplo from:alice',
    'conf in:r-alpha000001',
    'conf from:bob in:r-beta0000001',
    'deplo has:link',
    'conf has:picture',
    'conf before:2026-11-02',
    'conf after:2026-11-02',
    'nothingatall',
    'deplo nothingatall',
    'de pa ra co ta in',
    'dep plo con fig ing ble ter',
  ]
  for (const q of [...queries, ...VOCAB.slice(0, 60).map((w) => w.slice(0, 5))]) {
    const plain = await pages(db, q, false)
    t.same(await pages(db, q, true), plain, `${q}: ${plain.flat().length} rows, the same`)
  }
})

t.test('which prefixes are expanded, and into what', async (t) => {
  const { thread, db } = await setUp(t)
  await db.write(corpus(3000), [])
  const text = async (q: string): Promise<string | undefined> => {
    const parsed = parseSearchQuery(q)
    if (!parsed.ok) throw new Error(q)
    const e = await expandedMatch(thread, 'x', matchExpression(parsed.query)!.terms, '')
    if (!e) return undefined
    const [row] = await thread.all<{ m: string }>('x', `SELECT ${e.sql} AS m`, e.params)
    return row!.m
  }
  t.equal(await text('DEPLOYM'), 'body : (("deployment"))', 'folded by the index tokenizer, one exact word')
  t.equal(await text('Ёлк'), undefined, 'three letters: the prefix index answers')
  t.equal(await text('ЁЛКИ'), 'body : (("елки"))', 'Cyrillic folded (Ё is Е once tokens.ts has prepared it)')
  const deplo = (await text('deplo'))!
  t.match(deplo, /^body : \(\("deplo\w*"( OR "deplo\w*")+\)\)$/, 'every word it begins, each exact')
  for (const w of ['"deploiement"', '"deploy"', '"deployed"', '"deployment"']) t.ok(deplo.includes(w), `${w} among them, accents folded`)
  t.equal(await text('"deploy deployment"'), undefined, 'a quoted phrase is exact already')
  t.equal(await text('e-ma'), undefined, 'a prefix of two tokens stays a phrase prefix')
  t.equal(await text('de'), undefined, 'nor two letters')
  t.equal(await text('z'), 'body : ("z" *)', `past ${EXPAND_PER_PREFIX} words the prefix stays`)
  t.equal(await text('qqqqqq'), 'body : ("qqqqqq" *)', 'a prefix that begins no word stays (it matches nothing)')
  t.equal(await text('deplo "ta ble"'), `${deplo.slice(0, -1)} AND "ta ble")`, 'the other terms are kept')
})

t.test('a rebuild fills terms once at the end, and expands nothing before', async (t) => {
  const { thread, db } = await setUp(t)
  await db.reset()
  const docs = corpus(1500)
  for (let i = 0; i < docs.length; i += 500) await db.write(docs.slice(i, i + 500), [], { seq: i + 500, chain: '' })
  const terms = async () => (await thread.all<{ n: number }>('x', 'SELECT count(*) AS n FROM terms'))[0]!.n
  t.equal(await terms(), 0, 'rebuilding: no word is written to terms batch by batch')
  const before = await pages(db, 'deplo', true)
  t.same(before, await pages(db, 'deplo', false), 'and a prefix is searched as it is, finding the same')
  t.same(await db.indexes(), [], 'nor are the docs indexes there yet')
  await db.settle(false)
  t.ok((await terms()) >= 400, 'settled: every word, from the index at once')
  t.same(await db.indexes(), ['docs_author', 'docs_room'])
  t.same(await pages(db, 'deplo', true), before, 'expanded from then on, finding the same')
  for (const w of VOCAB.slice(0, 40)) {
    const q = w.slice(0, 5)
    t.same(await pages(db, q, true), await pages(db, q, false), `${q}: the same after the rebuild`)
  }
  await db.write(
    corpus(5).map((d, i) => ({ ...d, seq: 2000 + i, body: `${d.body} zzyzxnew` })),
    [],
  )
  const fresh = await thread.all<{ term: string }>('x', "SELECT term FROM terms WHERE term >= 'zzyzx' AND term < 'zzyzy'")
  t.same(fresh, [{ term: 'zzyzxnew' }], 'a word written after it is in terms at once')
  t.same((await pages(db, 'zzyzx', true)).flat(), [2004, 2003, 2002, 2001, 2000], 'and found by its prefix')
})
