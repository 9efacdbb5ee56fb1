/**
 * Unread counts and read marks, in Node: where "New messages" goes, the count from a read
 * position and a message list (also when part of it is not loaded), how much history to
 * load, the words shown, and the mark sent back (coalesced, never backwards, retried after
 * a failure). The DOM side is covered by chat.browser.test.ts (lib/catch-up.ts).
 */
import t from 'tap'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import {
  badgeText,
  CATCH_UP_MAX,
  countAfter,
  firstUnread,
  HISTORY_MAX_PAGE,
  historyLimit,
  leavesGap,
  MARK_DELAY_MS,
  needsOlder,
  olderPageLimit,
  parseReadPosition,
  ReadMarker,
  titleFor,
  unreadTotal,
  type Clock,
} from '../../../web-ui/src/timeline/unread-model.js'

/** seq 10..(10+n-1), authored in turn as the pattern says: 'a' alice, 'b' bob. */
function room(pattern: string, from = 10): Array<{ seq: number; author: string }> {
  return [...pattern].map((c, i) => ({ seq: from + i, author: c === 'a' ? 'alice' : 'bob' }))
}

t.test('"New messages" goes above the first message by someone else after the position', async (t) => {
  const msgs = room('aababb') // seqs 10..15
  t.equal(firstUnread(msgs, 10, 'bob')?.seq, 11, 'alice’s first after 10')
  t.equal(firstUnread(msgs, 11, 'bob')?.seq, 13, 'his own are skipped: her next one')
  t.equal(firstUnread(msgs, 11, 'alice')?.seq, 12, 'for alice: bob’s first after 11')
  t.equal(firstUnread(msgs, 12, 'alice')?.seq, 14, 'her own messages are never new to her')
  t.equal(firstUnread(msgs, 15, 'alice'), null, 'all read: no divider')
  t.equal(firstUnread(msgs, 0, 'Alice')?.seq, 12, 'usernames compare without case, as the daemon does')
  t.equal(firstUnread([], 0, 'bob'), null)
  t.equal(firstUnread(room('aa'), 3, 'alice'), null, 'only my own: nothing new')
})

t.test('the count from a position and the loaded messages', async (t) => {
  const msgs = room('aababb')
  t.equal(countAfter(msgs, 9, 'bob'), 3)
  t.equal(countAfter(msgs, 9, 'alice'), 3)
  t.equal(countAfter(msgs, 13, 'alice'), 2)
  t.equal(countAfter(msgs, 15, 'alice'), 0)
  const snap = { seq: 11, unread: 3, asOf: 15 }
  t.equal(unreadTotal(msgs, 11, 'alice', snap, true), 3, 'everything unread is loaded: count it here')
  t.equal(unreadTotal(msgs, 15, 'alice', snap, true), 0, 'read up to the newest')
})

t.test('after a long absence the daemon counts what is not loaded', async (t) => {
  // Read up to 5; loaded are 10..15 (three of them by bob); the daemon counted 40 in all.
  const msgs = room('aababb')
  const snap = { seq: 5, unread: 40, asOf: 15 }
  t.equal(unreadTotal(msgs, 5, 'alice', snap, true), 40, 'the daemon’s number, not the three loaded')
  t.equal(unreadTotal(msgs, 5, 'alice', snap, false), 3, 'nothing older exists: what is loaded is all')
  t.equal(unreadTotal(msgs, 5, 'alice', null, true), 3, 'no answer from the daemon: only what is here')
  const later = [...msgs, { seq: 16, author: 'bob' }, { seq: 17, author: 'alice' }]
  t.equal(unreadTotal(later, 5, 'alice', snap, true), 41, 'a live message after the answer adds one')
  t.equal(unreadTotal(later, 17, 'alice', snap, true), 0, 'marked at the newest: nothing')
  t.equal(unreadTotal(msgs, 5, 'alice', { seq: 5, unread: 1, asOf: 15 }, true), 3, 'never less than what is loaded')
})

t.test('how much history to load', async (t) => {
  t.equal(historyLimit(0), 100, 'the usual page')
  t.equal(historyLimit(30), 100)
  t.equal(historyLimit(150), 170, 'the unread ones and a little before them')
  t.equal(historyLimit(5000), HISTORY_MAX_PAGE, 'never more than the daemon gives')
  t.ok(needsOlder(200, 150, true, 100), 'the first unread is older than the oldest loaded')
  t.notOk(needsOlder(200, 250, true, 100), 'it is loaded')
  t.notOk(needsOlder(200, 200, true, 100), 'read up to the oldest loaded one')
  t.notOk(needsOlder(200, 150, false, 100), 'nothing older exists')
  t.notOk(needsOlder(200, null, true, 100), 'no divider wanted (never read anything, or unknown)')
  t.notOk(needsOlder(null, 150, true, 0), 'an empty room')
  t.notOk(needsOlder(200, 150, true, CATCH_UP_MAX), 'bounded')
  t.equal(olderPageLimit(100), HISTORY_MAX_PAGE)
  t.equal(olderPageLimit(600), 400, 'up to the bound, not past it')
  t.equal(olderPageLimit(CATCH_UP_MAX), 1)
})

t.test('a reconnect whose page does not reach what is shown starts the list over', async (t) => {
  const page = room('ab'.repeat(50), 500) // a full page of 100: seqs 500..599
  t.ok(leavesGap(page, 100, 420), 'shown up to 420, the page starts at 500: a hole')
  t.notOk(leavesGap(page, 100, 500), 'it overlaps')
  t.notOk(leavesGap(page, 100, 650), 'nothing new')
  t.notOk(leavesGap(page.slice(0, 60), 100, 420), 'not a full page: it holds everything since')
  t.notOk(leavesGap(page, 100, null), 'nothing shown yet: a first load, not a hole')
  t.notOk(leavesGap([], 100, 420))
})

t.test('the words: tab title and room header', async (t) => {
  t.equal(titleFor(0), 'SO-CHAT')
  t.equal(titleFor(7), '(7) SO-CHAT')
  t.equal(badgeText(7), '7 new')
  t.equal(badgeText(1234), '1,234 new')
})

t.test('the daemon’s answers are read defensively', async (t) => {
  t.same(parseReadPosition({ seq: 1342, unread: 7 }), { seq: 1342, unread: 7 })
  t.same(parseReadPosition({ seq: 0, unread: 0, extra: 1 }), { seq: 0, unread: 0 })
  for (const bad of [null, undefined, 'x', {}, { seq: 1 }, { seq: -1, unread: 0 }, { seq: 1.5, unread: 0 }, { seq: '3', unread: 1 }]) {
    t.equal(parseReadPosition(bad), null, `not a position: ${JSON.stringify(bad)}`)
  }
  t.same(parseUiEvent(JSON.stringify({ type: 'read', room: 'general', seq: 12 })), { type: 'read', room: 'general', seq: 12 })
  for (const bad of [
    { type: 'read', room: 'general' },
    { type: 'read', seq: 3 },
    { type: 'read', room: 'general', seq: -2 },
  ]) {
    t.equal(parseUiEvent(JSON.stringify(bad)), null, `dropped: ${JSON.stringify(bad)}`)
  }
})

/** A clock the test moves by hand. */
function manualClock(): Clock & { tick(ms: number): void; waiting(): number } {
  let now = 0
  let timers: Array<{ at: number; fn: () => void }> = []
  return {
    set: (fn, ms) => {
      const timer = { at: now + ms, fn }
      timers.push(timer)
      return timer
    },
    clear: (handle) => {
      timers = timers.filter((x) => x !== handle)
    },
    tick(ms) {
      now += ms
      const due = timers.filter((x) => x.at <= now)
      timers = timers.filter((x) => x.at > now)
      for (const x of due) x.fn()
    },
    waiting: () => timers.length,
  }
}

const settle = () => new Promise((r) => setImmediate(r))

t.test('read marks: coalesced, at most one per delay, the highest seq', async (t) => {
  const clock = manualClock()
  const sent: number[] = []
  const marker = new ReadMarker(async (seq) => void sent.push(seq), MARK_DELAY_MS, clock)
  marker.mark(10)
  marker.mark(12)
  marker.mark(11)
  t.equal(clock.waiting(), 1, 'one timer for a burst')
  clock.tick(MARK_DELAY_MS - 1)
  t.same(sent, [], 'nothing before the delay')
  marker.mark(14)
  clock.tick(1)
  await settle()
  t.same(sent, [14], 'the highest, once; a mark during the wait did not restart it')
  marker.mark(14)
  marker.mark(9)
  t.equal(clock.waiting(), 0, 'nothing at or below what was sent')
  marker.known(20)
  marker.mark(18)
  t.equal(clock.waiting(), 0, 'nothing at or below what the daemon already has')
  marker.mark(21)
  await marker.flush()
  t.same(sent, [14, 21], 'flush sends at once (page hidden or left)')
  t.equal(clock.waiting(), 0, 'and cancels the wait')
  await marker.flush()
  t.same(sent, [14, 21], 'a second flush has nothing to send')
})

t.test('read marks: a failed one is tried again by the next mark; reset forgets', async (t) => {
  const clock = manualClock()
  const sent: number[] = []
  let fail = true
  const marker = new ReadMarker(
    async (seq) => {
      sent.push(seq)
      if (fail) throw new Error('network')
    },
    MARK_DELAY_MS,
    clock,
  )
  marker.mark(5)
  clock.tick(MARK_DELAY_MS)
  await settle()
  fail = false
  marker.mark(5)
  t.equal(clock.waiting(), 1, 'the same seq is wanted again after a failure')
  clock.tick(MARK_DELAY_MS)
  await settle()
  t.same(sent, [5, 5])
  marker.mark(5)
  t.equal(clock.waiting(), 0, 'sent now: not again')
  marker.mark(8)
  marker.reset()
  t.equal(clock.waiting(), 0, 'log-out: the wait is dropped')
  marker.mark(3)
  clock.tick(MARK_DELAY_MS)
  await settle()
  t.same(sent, [5, 5, 3], 'after a reset (another account, a merged log) low seqs are new again')
})
