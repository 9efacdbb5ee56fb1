/**
 * The schemas of replies, threads and pins (shared/entries.ts): well-formed ones pass in a
 * submit frame unchanged (so their signatures hold), and anything else, however mangled, is
 * refused with a message: the frame parser never throws.
 */
import t from 'tap'
import { EntryBody, PROTOCOL_VERSION, parseFrame } from '../../shared/index.js'

const NODE = '0123456789abcdef'
const ROOT = 'root-message-1'
const submit = (body: object) => ({ type: 'submit', submission: { id: 'msg-00000001', ts: 1_700_000_000_000, origin: NODE, body } })
const posted = (more: object) => ({ type: 'message.posted', room: 'general', author: 'bob', text: 'hi', ...more })
const pin = (more: object = {}) => ({ type: 'pin.set', room: 'general', target: ROOT, by: 'bob', on: true, ...more })

t.test('protocol 8 and later carry them', async (t) => {
  t.ok(PROTOCOL_VERSION >= 8)
})

t.test('well-formed replies, thread replies and pins pass unchanged', async (t) => {
  for (const body of [
    posted({ replyTo: ROOT }),
    posted({ thread: ROOT }),
    posted({ thread: ROOT, alsoInRoom: true }),
    pin(),
    pin({ on: false }),
  ]) {
    const frame = submit(body)
    const r = parseFrame(JSON.stringify(frame))
    t.same(r.ok ? r.frame : r, frame, `${JSON.stringify(body)} passes as it was`)
  }
})

t.test('malformed ones are refused with a reason', async (t) => {
  const bad: [object, RegExp][] = [
    [posted({ replyTo: 'short' }), /replyTo/],
    [posted({ replyTo: 'x'.repeat(65) }), /replyTo/],
    [posted({ thread: '<script>alert(1)</script>' }), /thread/],
    [posted({ thread: ROOT, alsoInRoom: false }), /alsoInRoom/],
    [posted({ replyTo: 42 }), /replyTo/],
    [pin({ target: 'no' }), /target/],
    [pin({ on: 'yes' }), /on/],
    [pin({ room: 'r-NOTAROOM' }), /room/],
    [pin({ by: undefined }), /by/],
  ]
  for (const [body, why] of bad) {
    const r = parseFrame(JSON.stringify(submit(body)))
    t.equal(r.ok, false, `${JSON.stringify(body).slice(0, 80)} is refused`)
    if (!r.ok) t.match(r.message, why, 'naming the field')
  }
})

t.test('the parser never throws, whatever the fields hold', async (t) => {
  const junk: unknown[] = [null, true, 0, -1, 1e308, '', 'x'.repeat(100_000), [], {}, [ROOT], { id: ROOT }, '\u0000', '😀'.repeat(40)]
  const accepted: string[] = []
  for (const value of junk) {
    for (const field of ['replyTo', 'thread', 'alsoInRoom']) {
      const r = parseFrame(JSON.stringify(submit(posted({ [field]: value }))))
      if (r.ok && !(field === 'alsoInRoom' && value === true)) accepted.push(`${field}=${JSON.stringify(value)}`)
    }
    for (const field of ['target', 'on', 'by', 'room']) {
      const r = parseFrame(JSON.stringify(submit(pin({ [field]: value }))))
      if (r.ok && !(field === 'on' && typeof value === 'boolean')) accepted.push(`${field}=${JSON.stringify(value)}`)
    }
    t.equal(EntryBody.safeParse({ type: 'pin.set', target: value }).success, false, 'a pin.set missing its fields is refused')
  }
  t.same(accepted, [], 'every junk value was refused (true for alsoInRoom and on is not junk), none threw')
})
