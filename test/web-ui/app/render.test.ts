/**
 * The page's pure helpers, in Node: draft rules (which must match the relay's), error text,
 * day and time labels, the live-feed frame filter and backoff, the roster's wording; and a
 * static guard on what the CSP and the README forbid. The DOM parts are
 * covered by chat.browser.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { MAX_MESSAGE_BYTES, utf8Length } from '../../../shared/index.js'
import { ApiError, errorFromBody, humanError } from '../../../web-ui/src/app/api.js'
import { backoffDelay, feedUrl } from '../../../web-ui/src/app/live-feed.js'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import {
  dayKey,
  dayLabel,
  describeDraftProblem,
  draftProblem,
  formatBytes,
  hueSlot,
  fullTimeLabel,
  initial,
  isoTime,
  isValidTime,
  timeLabel,
  UNKNOWN_DATE,
  UNKNOWN_TIME,
  utf8Bytes,
} from '../../../web-ui/src/app/format-model.js'
import { machineLine, relayLine } from '../../../web-ui/src/rooms/roster.js'

t.test('drafts follow the relay’s rules, in UTF-8 bytes', async (t) => {
  t.same(draftProblem(''), { kind: 'empty' })
  t.same(draftProblem(' \n\t '), { kind: 'empty' }, 'whitespace only is empty')
  t.equal(draftProblem('hi'), null)
  t.equal(draftProblem('x'.repeat(MAX_MESSAGE_BYTES)), null, 'exactly the limit is fine')
  t.same(draftProblem('x'.repeat(MAX_MESSAGE_BYTES + 1)), { kind: 'too_large', bytes: MAX_MESSAGE_BYTES + 1, limit: MAX_MESSAGE_BYTES })
  // 4 bytes each: a character count would let this through.
  const wave = '👋'.repeat(MAX_MESSAGE_BYTES / 4 + 1)
  t.equal(draftProblem(wave)?.kind, 'too_large', 'emoji count as their bytes')
  for (const s of ['', 'abc', 'é', '👋🏽', '<b>x</b>', '日本語'])
    t.equal(utf8Bytes(s), utf8Length(s), `same count as shared for ${JSON.stringify(s)}`)
  t.match(describeDraftProblem({ kind: 'empty' }), /Write something/)
  t.match(describeDraftProblem({ kind: 'too_large', bytes: 16_484, limit: 16_384 }), /too long by 100 bytes \(limit 16 KB\)/)
  t.equal(formatBytes(900), '900 bytes')
  t.equal(formatBytes(1536), '1.5 KB')
})

t.test('a timestamp that is no time gets a label saying so, never "Invalid time value"', async (t) => {
  const now = new Date(2025, 5, 12, 15, 30).getTime()
  for (const ts of [9e15, 8.64e15 + 1, Number.NaN, Number.POSITIVE_INFINITY, -9e15]) {
    t.notOk(isValidTime(ts), `${ts} is not a time`)
    t.equal(dayLabel(ts, now, 'en-US'), UNKNOWN_DATE, `day heading for ${ts}`)
    t.equal(timeLabel(ts, 'en-GB'), UNKNOWN_TIME, `time for ${ts}`)
    t.equal(fullTimeLabel(ts, 'en-GB'), UNKNOWN_TIME, `tooltip for ${ts}`)
    t.equal(isoTime(ts), '', `no datetime attribute for ${ts}`)
    t.equal(dayKey(ts), dayKey(Number.NaN), `${ts} falls on the one "unknown" day, so one heading covers a run of them`)
    t.not(dayKey(ts), dayKey(now), 'which is no real day')
  }
  t.ok(isValidTime(8.64e15), 'the last time a Date holds is a time')
  t.match(timeLabel(8.64e15, 'en-GB'), /^\d\d:\d\d$/, 'and is labelled as one')
  t.equal(isoTime(0), '1970-01-01T00:00:00.000Z')
})

t.test('errors read as sentences', async (t) => {
  t.equal(humanError('username_taken', 'The username "bob" is taken.'), 'The username "bob" is taken.', 'the daemon’s message wins')
  t.match(humanError('username_taken', '  '), /already taken/, 'blank message falls back')
  t.match(humanError('no_relay'), /No relay/)
  t.match(humanError('network'), /Cannot reach SO-CHAT/)
  t.match(humanError('some_future_code'), /some_future_code/, 'unknown codes are still shown')

  const e = errorFromBody(409, { error: { code: 'username_taken', message: 'Taken.' } })
  t.ok(e instanceof ApiError)
  t.same([e.code, e.message, e.status], ['username_taken', 'Taken.', 409])
  t.equal(errorFromBody(502, 'Bad Gateway').code, 'internal', 'a non-JSON 5xx')
  t.equal(errorFromBody(404, undefined).code, 'bad_response', 'a non-JSON 4xx')
  t.match(errorFromBody(500, { error: { code: 'internal' } }).message, /inside SO-CHAT/)
})

t.test('day and time labels', async (t) => {
  const now = new Date(2025, 5, 12, 15, 30).getTime()
  t.equal(dayLabel(new Date(2025, 5, 12, 0, 1).getTime(), now), 'Today')
  t.equal(dayLabel(new Date(2025, 5, 11, 23, 59).getTime(), now), 'Yesterday')
  t.equal(dayLabel(new Date(2025, 5, 1, 12).getTime(), now, 'en-US'), 'Sunday, June 1')
  t.equal(dayLabel(new Date(2024, 11, 31, 12).getTime(), now, 'en-US'), 'Tuesday, December 31, 2024', 'another year names it')
  t.equal(dayLabel(new Date(2025, 0, 1, 9).getTime(), new Date(2025, 0, 2, 9).getTime()), 'Yesterday', 'across a year boundary')
  t.equal(timeLabel(new Date(2025, 5, 12, 9, 5).getTime(), 'en-GB'), '09:05')
  t.match(timeLabel(new Date(2025, 5, 12, 21, 5).getTime(), 'en-US'), /^9:05\sPM$/)
})

t.test('avatars: stable colour slot and initial', async (t) => {
  t.equal(hueSlot('alice'), hueSlot('alice'))
  const slots = new Set(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map((n) => hueSlot(n)))
  t.ok(slots.size > 3, 'names spread over the colours')
  for (const n of ['alice', 'bob', 'x']) t.ok(hueSlot(n) >= 0 && hueSlot(n) < 8)
  t.equal(initial('alice'), 'A')
  t.equal(initial('9lives'), '9')
})

t.test('the live feed keeps only well-formed events', async (t) => {
  const message = { id: 'abcdefgh', seq: 3, room: 'general', author: 'alice', text: 'hi', ts: 1 }
  t.same(parseUiEvent(JSON.stringify({ type: 'message', message })), { type: 'message', message })
  const status = { role: 'client', online: ['bob'], name: 'h2', relayName: 'h1' }
  t.same(parseUiEvent(JSON.stringify({ type: 'status', status })), { type: 'status', status })
  for (const raw of [
    'not json',
    'null',
    '[]',
    '{"type":"message"}',
    '{"type":"message","message":{"id":1}}',
    '{"type":"status","status":{"role":"relay"}}',
    '{"type":"nope"}',
  ]) {
    t.equal(parseUiEvent(raw), null, `dropped: ${raw}`)
  }
  t.equal(feedUrl({ protocol: 'http:', host: '127.0.0.1:47800' }), 'ws://127.0.0.1:47800/api/v1/events')
  t.equal(feedUrl({ protocol: 'https:', host: 'localhost' }), 'wss://localhost/api/v1/events')
})

t.test('reconnect delays grow, stay bounded and jitter', async (t) => {
  const mid = () => 0.5
  t.same(
    [0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, mid)),
    [500, 1000, 2000, 4000, 8000, 15000, 15000],
  )
  t.equal(backoffDelay(1000, mid), 15000, 'no overflow after many attempts')
  t.equal(
    backoffDelay(0, () => 0),
    375,
  )
  t.equal(
    backoffDelay(0, () => 1),
    625,
  )
})

t.test('the roster says which machine is the relay', async (t) => {
  t.equal(relayLine({ role: 'relay', name: 'h1', relayName: 'h1' }), 'Relay: h1 (this machine)')
  t.equal(relayLine({ role: 'client', name: 'h2', relayName: 'h1' }), 'Relay: h1')
  t.equal(relayLine({ role: 'client', name: 'h2', relayName: null }), 'Relay: none reachable')
  t.match(relayLine({ role: 'electing', name: 'h2', relayName: null }), /choosing/)
  t.equal(machineLine({ role: 'client', name: 'h2' }), 'This machine: h2 (sends through the relay)')
  t.equal(machineLine({ role: 'relay', name: 'h1' }), 'This machine: h1 (the relay)')
})

t.test('the page keeps to its rules: no inline code, no markup from strings', async (t) => {
  const html = readFileSync(new URL('../../../web-ui/index.html', import.meta.url), 'utf8')
  t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline <script>')
  t.notMatch(html, /\sstyle\s*=/i, 'no style="" attributes')
  t.notMatch(html, /\son[a-z]+\s*=/i, 'no on*="" handlers')
  t.notMatch(html, /(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i, 'nothing from another origin')
  const dir = new URL('../../../web-ui/src/', import.meta.url)
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
  t.ok(files.length > 40, `every page module checked (${files.length})`)
  for (const file of files) {
    const code = readFileSync(new URL(file, dir), 'utf8')
    t.notMatch(
      code,
      /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(|new Function\(/,
      `${file}: no HTML from strings`,
    )
    t.notMatch(code, /setAttribute\(\s*['"]style['"]/, `${file}: no style attributes`)
  }
})
