/**
 * The search box's rules, in Node (web-ui/src/search/search-model.ts): a message's text cut
 * into plain and marked parts from the API's ranges (out-of-order, overlapping, out-of-range,
 * nonsense, an emoji's surrogate pair never cut), only the newest answer shown, grouping by
 * room and by day in the daemon's order, the status line and "still indexing", answers read
 * defensively, arrow keys over the results. The DOM side: search.browser.test.ts.
 */
import t from 'tap'
import {
  groupResults,
  highlightParts,
  LatestOnly,
  moveActive,
  parseSearchResponse,
  type SearchResult,
  searchPath,
  statusLine,
} from '../../../web-ui/src/search/search-model.js'

const marked = (text: string, ranges: { start: number; end: number }[]) =>
  highlightParts(text, ranges)
    .map((p) => (p.marked ? `[${p.text}]` : p.text))
    .join('')

t.test('highlights come from the ranges, as text parts', async (t) => {
  t.equal(marked('deploy the deployment', [{ start: 11, end: 21 }]), 'deploy the [deployment]')
  t.equal(
    marked('a b c', [
      { start: 4, end: 5 },
      { start: 0, end: 1 },
    ]),
    '[a] b [c]',
    'any order',
  )
  t.equal(
    marked('abcdef', [
      { start: 1, end: 4 },
      { start: 2, end: 5 },
    ]),
    'a[bcde]f',
    'overlaps merged',
  )
  t.equal(
    marked('abcdef', [
      { start: 1, end: 3 },
      { start: 3, end: 5 },
    ]),
    'a[bcde]f',
    'touching ranges one mark',
  )
  t.equal(marked('abc', [{ start: -5, end: 99 }]), '[abc]', 'clamped to the text')
  t.equal(
    marked('abc', [
      { start: 2, end: 1 },
      { start: 1.5, end: 2 },
    ]),
    'abc',
    'nonsense ignored, never thrown',
  )
  t.equal(marked('abc', []), 'abc')
  t.equal(marked('', [{ start: 0, end: 3 }]), '')
  // 🎉 is two UTF-16 units (2..4): a range cutting it in half is widened to the whole emoji.
  t.equal(marked('a 🎉 b', [{ start: 3, end: 4 }]), 'a [🎉] b', 'a surrogate pair is never cut')
  t.equal(marked('a 🎉 b', [{ start: 2, end: 3 }]), 'a [🎉] b')
  t.equal(marked('<b>x</b> ok', [{ start: 9, end: 11 }]), '<b>x</b> [ok]', 'markup is just text here')
  t.same(highlightParts('xy', [{ start: 0, end: 1 }]), [
    { text: 'x', marked: true },
    { text: 'y', marked: false },
  ])
})

t.test('only the newest answer is wanted', async (t) => {
  const latest = new LatestOnly()
  const first = latest.take()
  const second = latest.take()
  t.notOk(latest.isLatest(first), 'an older query answering last is dropped')
  t.ok(latest.isLatest(second))
  latest.cancel()
  t.notOk(latest.isLatest(second), 'after the box is emptied nothing asked before is shown')
})

const result = (id: string, room: string, ts: number): SearchResult => ({
  message: { id, seq: 1, room, author: 'alice', text: id, ts },
  highlights: [],
})

t.test('grouping keeps the daemon order', async (t) => {
  const day1 = new Date(2026, 10, 2, 10).getTime()
  const day2 = new Date(2026, 10, 1, 10).getTime()
  const rs = [result('a', 'general', day1), result('b', 'r-design', day1), result('c', 'general', day2)]
  t.same(
    groupResults(rs, 'room').map((g) => [g.key, g.results.map((r) => r.message.id)]),
    [
      ['general', ['a', 'c']],
      ['r-design', ['b']],
    ],
    'by room, a group where its first result came',
  )
  t.same(
    groupResults(rs, 'day').map((g) => g.results.map((r) => r.message.id)),
    [['a', 'b'], ['c']],
    'by day',
  )
})

t.test('status line, request path, answers read defensively, arrows', async (t) => {
  t.equal(statusLine(0, false, null), 'No messages found.')
  t.equal(statusLine(1, false, null), '1 message found.')
  t.equal(statusLine(30, true, null), '30+ messages found.')
  t.equal(statusLine(2, false, { done: 1200, total: 50000 }), '2 messages found. Still indexing: 1,200 of 50,000.')
  t.equal(searchPath('from:bob "a b"', 'best', 'c1'), '/api/v1/search?q=from%3Abob+%22a+b%22&sort=best&limit=30&before=c1')
  t.equal(parseSearchResponse(null), null)
  t.equal(parseSearchResponse({ results: 'no' }), null)
  const parsed = parseSearchResponse({
    results: [
      result('ok', 'general', 1),
      { message: { id: 'x' }, highlights: [] },
      { ...result('bad', 'general', 1), highlights: [{ start: 'a' }] },
    ],
    next: 7,
    indexing: { done: 1 },
  })
  t.same(
    parsed?.results.map((r) => r.message.id),
    ['ok'],
    'malformed results left out',
  )
  t.equal(parsed?.next, null, 'a cursor that is not a string is no cursor')
  t.equal(parsed?.indexing, null)
  t.equal(moveActive('ArrowDown', -1, 3), 0, 'Down from the box: the first result')
  t.equal(moveActive('ArrowDown', 2, 3), 2, 'stops at the last')
  t.equal(moveActive('ArrowUp', 0, 3), 0, 'and at the first')
  t.equal(moveActive('ArrowUp', 2, 3), 1)
  t.equal(moveActive('PageDown', 0, 30), 5)
  t.equal(moveActive('ArrowDown', -1, 0), null, 'nothing to move through')
  t.equal(moveActive('a', 0, 3), null, 'other keys are typing')
})
