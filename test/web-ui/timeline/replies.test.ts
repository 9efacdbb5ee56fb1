/**
 * The page's pure helpers for replies, threads and @room/@here: the words of a quote in each
 * state, "3 replies, last by bob", which messages stay out of the timeline, and the note the
 * composer shows before sending when @room/@here will notify nobody (a room over the limit).
 * The DOM parts are covered by timeline/threads.browser.test.ts.
 */
import t from 'tap'
import { BROADCAST_MENTION_MAX_MEMBERS } from '../../../shared/index.js'
import { broadcastNote, isThreadOnly } from '../../../web-ui/src/timeline/replies.js'
import { QUOTE_DELETED, QUOTE_UNAVAILABLE, quoteText, threadSummaryText } from '../../../web-ui/src/timeline/reply-parts.js'

t.test('quotes say who and what, or why not', async (t) => {
  t.same(quoteText({ id: 'x', state: 'shown', author: 'alice', text: 'Lunch?' }), {
    author: 'alice',
    text: 'Lunch?',
    label: 'Replying to alice: Lunch?. Go to the original message',
  })
  t.equal(quoteText({ id: 'x', state: 'deleted' }).text, QUOTE_DELETED)
  t.equal(quoteText({ id: 'x', state: 'unavailable' }).text, QUOTE_UNAVAILABLE)
  t.equal(quoteText({ id: 'x', state: 'shown' }).text, QUOTE_UNAVAILABLE, 'a quote without an author is not trusted')
})

t.test('thread summaries', async (t) => {
  t.equal(threadSummaryText({ count: 1, last: 'bob', lastTs: 1, people: [] }), '1 reply, by bob')
  t.equal(threadSummaryText({ count: 3, last: 'bob', lastTs: 1, people: [] }), '3 replies, last by bob')
  t.ok(isThreadOnly({ thread: 'root-0000' }), 'a thread reply is out of the timeline')
  t.notOk(isThreadOnly({ thread: 'root-0000', alsoInRoom: true }), 'unless also sent to the room')
  t.notOk(isThreadOnly({}), 'a plain message is in it')
})

t.test('@room and @here: the sender is told before sending when nobody will be notified', async (t) => {
  const small = { memberCount: BROADCAST_MENTION_MAX_MEMBERS }
  const big = { memberCount: BROADCAST_MENTION_MAX_MEMBERS + 1 }
  t.equal(broadcastNote('meeting @room', small), '', `a room of ${BROADCAST_MENTION_MAX_MEMBERS}: notified, nothing to say`)
  t.match(broadcastNote('meeting @room', big), /^@room will not notify anyone here: this room has 51 members/)
  t.match(broadcastNote('anyone @here?', big), /^@here will not/)
  t.equal(broadcastNote('mail me at bob@room.org', big), '', 'an address is not a call')
  t.equal(broadcastNote('hello', big), '')
  t.equal(broadcastNote('@room', null), '', 'no room on screen')
})
