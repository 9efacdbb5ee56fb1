/**
 * The search language (shared/search-query.ts): every filter, quoting, exclusion, and every
 * bad input answered with its code, never a throw.
 */
import t from 'tap'
import { SEARCH_QUERY_MAX, SEARCH_TERMS_MAX, parseSearchQuery, type SearchQuery } from '../../shared/index.js'

function ok(q: string): SearchQuery {
  const r = parseSearchQuery(q)
  if (!r.ok) throw new Error(`${q}: ${r.error.code}`)
  return r.query
}
function code(q: unknown): string | undefined {
  const r = parseSearchQuery(q)
  return r.ok ? undefined : r.error.code
}
const day = (s: string) => Date.parse(`${s}T00:00:00Z`)

t.test('words, phrases and exclusions', async (t) => {
  const q = ok('deplo  "the big release" -draft -"not this" café')
  t.same(q.terms, [
    { text: 'deplo', phrase: false },
    { text: 'the big release', phrase: true },
    { text: 'café', phrase: false },
  ])
  t.same(q.exclude, [
    { text: 'draft', phrase: false },
    { text: 'not this', phrase: true },
  ])
  t.same(ok('"never closed phrase').terms, [{ text: 'never closed phrase', phrase: true }], 'an open quote runs to the end')
  t.same(
    ok('a - b').terms.map((x) => x.text),
    ['a', '-', 'b'],
    'a lone dash is a word, not an exclusion of nothing',
  )
  t.same(
    ok('東京タワー 🎉').terms.map((x) => x.text),
    ['東京タワー', '🎉'],
  )
  t.same(
    ok('re: meeting').terms.map((x) => x.text),
    ['re:', 'meeting'],
    'a name with no value is a word',
  )
  t.same(
    ok('see https://example.com/x').terms.map((x) => x.text),
    ['see', 'https://example.com/x'],
    'a URL is a word',
  )
  t.same(ok('"from:alice"').terms, [{ text: 'from:alice', phrase: true }], 'quoted, a filter is words')
})

t.test('from: and in:', async (t) => {
  const q = ok('from:alice from:@Bob in:#design in:r-abcdefabcdef word')
  t.same(q.from, ['alice', 'Bob'])
  t.same(q.in, ['design', 'r-abcdefabcdef'])
  t.equal(code('from:a'), 'bad_filter', 'too short for a username')
  t.equal(code('from:al!ce'), 'bad_filter')
  t.equal(code('in:#'), 'bad_filter')
  t.equal(code('FROM:alice'), undefined, 'filter names without case')
})

t.test('has:', async (t) => {
  t.same(ok('has:file has:picture has:link has:LINK').has, ['file', 'picture', 'link'])
  t.equal(code('has:video'), 'bad_filter')
})

t.test('dates', async (t) => {
  t.same(ok('before:2026-11-01'), { terms: [], exclude: [], from: [], in: [], has: [], until: day('2026-11-01') })
  t.equal(ok('after:2026-11-01').since, day('2026-11-02'), 'after a day: from the next one')
  const d = ok('during:2026-11-05')
  t.equal(d.since, day('2026-11-05'))
  t.equal(d.until, day('2026-11-06'))
  const m = ok('during:2026-02')
  t.equal(m.since, day('2026-02-01'))
  t.equal(m.until, day('2026-03-01'))
  const y = ok('during:2025')
  t.equal(y.since, day('2025-01-01'))
  t.equal(y.until, day('2026-01-01'))
  const both = ok('after:2026-01-01 before:2026-02-01 during:2026')
  t.equal(both.since, day('2026-01-02'), 'the narrowest bounds win')
  t.equal(both.until, day('2026-02-01'))
  for (const bad of [
    'before:2026-02-30',
    'before:2026-13-01',
    'before:2026-11',
    'after:yesterday',
    'during:26',
    'before:1969-12-31',
    'during:2026-00',
  ]) {
    t.equal(code(bad), 'bad_date', bad)
  }
})

t.test('bad input gets a code, never a throw', async (t) => {
  t.equal(code(''), 'empty_query')
  t.equal(code('   '), 'empty_query')
  t.equal(code('""'), 'empty_query')
  t.equal(code(undefined), 'empty_query')
  t.equal(code(42), 'empty_query')
  t.equal(code('-onlyexcluded'), 'empty_query', 'an exclusion alone finds everything else: not a search')
  t.equal(code('x'.repeat(SEARCH_QUERY_MAX)), undefined)
  t.equal(code('x'.repeat(SEARCH_QUERY_MAX + 1)), 'query_too_long')
  t.equal(code('🎉'.repeat(SEARCH_QUERY_MAX)), undefined, 'characters, not UTF-16 units')
  t.equal(
    code(
      Array(SEARCH_TERMS_MAX + 1)
        .fill('w')
        .join(' '),
    ),
    'query_too_long',
  )
  t.equal(code('colour:red'), 'unknown_filter')
  t.equal(code('word "unbalanced -" : :: -- ""x'), undefined)
  t.same(ok('from:alice').terms, [], 'a filter alone is a search')
})
