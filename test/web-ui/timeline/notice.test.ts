/**
 * What a key notice says (timeline/notice-model.ts): the brief's words for others' keys, a
 * milder line for an account's first keys, and the second person for the person's own.
 */
import t from 'tap'
import { parseUiEvent } from '../../../web-ui/src/app/ui-event-model.js'
import { noticeWords } from '../../../web-ui/src/timeline/notice-model.js'

const FP = '12345 67890 12345 67890 12345 67890 12345 67890 12345 67890 12345 67890'
const whole = (w: ReturnType<typeof noticeWords>) => `${w.before}${w.fingerprint}${w.after}`

t.test('another person’s keys changed: compare, with the number whole', async (t) => {
  const w = noticeWords({ kind: 'keys.changed', username: 'alice', fingerprint: FP }, 'bob')
  t.equal(whole(w), `alice's keys changed — compare alice's new fingerprint (${FP}) with what alice's screen shows`)
  t.equal(w.fingerprint, FP, 'the number apart, for the row to set in <code>')
})

t.test('an account’s first keys: the milder line', async (t) => {
  const w = noticeWords({ kind: 'keys.first', username: 'olga', fingerprint: FP }, 'bob')
  t.equal(whole(w), `olga's account now has keys; what olga writes from now on is signed (fingerprint ${FP})`)
})

t.test('my own keys, whatever the case of my name: said to me', async (t) => {
  t.match(
    whole(noticeWords({ kind: 'keys.changed', username: 'Bob', fingerprint: FP }, 'bob')),
    /^Your keys changed — your new fingerprint is .*tell the people you write with/,
  )
  t.match(whole(noticeWords({ kind: 'keys.first', username: 'bob', fingerprint: FP }, 'bob')), /^Your account now has keys/)
  t.match(
    whole(noticeWords({ kind: 'keys.changed', username: 'bob', fingerprint: FP }, null)),
    /^bob's keys changed/,
    'logged out: nobody is "you"',
  )
})

t.test('the live feed takes a notice only in its shape', async (t) => {
  const notice = { room: 'general', seq: 12, ts: 1, kind: 'keys.changed', username: 'alice', fingerprint: FP }
  t.same(parseUiEvent(JSON.stringify({ type: 'notice', notice })), { type: 'notice', notice })
  for (const bad of [
    { ...notice, kind: 'keys.gone' },
    { ...notice, fingerprint: '<b>12345</b>' },
    { ...notice, seq: -1 },
    { ...notice, username: '' },
    null,
  ]) {
    t.equal(parseUiEvent(JSON.stringify({ type: 'notice', notice: bad })), null, `dropped: ${JSON.stringify(bad)?.slice(0, 60)}`)
  }
})
