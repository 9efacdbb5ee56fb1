/**
 * What a stream of new messages turns into: one notification for one message, one summary
 * for a burst, a mention always on its own; previews flattened and cut; `@name` matched only
 * as a whole name.
 */
import t from 'tap'
import { Burst, escapeMarkup, mentions, preview, type Note } from '../../../daemon/desktop/index.js'

const arrival = (author: string, text: string, mention = false) => ({ room: 'general', where: '#general', author, text, mention })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('@name is a mention only as a whole name, in any case', async (t) => {
  t.ok(mentions('@bob look', 'bob'))
  t.ok(mentions('hey @Bob!', 'bob'), 'case does not matter, punctuation ends the name')
  t.ok(mentions('(@bob)', 'bob'))
  t.notOk(mentions('@bobby look', 'bob'), 'a longer name is someone else')
  t.notOk(mentions('@bob-2 look', 'bob'), 'a dash continues a name')
  t.notOk(mentions('mail bob@bob.example', 'bob'), 'an e-mail address is not a mention')
  t.notOk(mentions('bob, look', 'bob'), 'no @, no mention')
  t.ok(mentions('ping @a.b', 'a.b'), 'names with dots are matched literally')
  t.notOk(mentions('ping @axb', 'a.b'), 'a dot in a name is not a wildcard')
})

t.test('previews are one line, at most 120 characters, emoji kept whole', async (t) => {
  t.equal(preview('  two\n\nlines\t here '), 'two lines here')
  const long = preview('😀'.repeat(200))
  t.equal([...long].length, 120)
  t.ok(long.endsWith('…'))
  t.equal([...long][0], '😀', 'no emoji cut in half')
  t.equal(escapeMarkup('<b>&</b>'), '&lt;b&gt;&amp;&lt;/b&gt;')
})

t.test('one message in the window is one notification with author and room', async (t) => {
  const shown: Note[] = []
  const burst = new Burst((n) => shown.push(n), 30)
  burst.add(arrival('alice', 'lunch?'))
  t.same(shown, [], 'nothing before the window ends')
  await sleep(60)
  t.same(shown, [{ title: 'alice in #general', body: 'lunch?', room: 'general', mention: false }])
})

t.test('a burst becomes one summary naming the authors and the latest message', async (t) => {
  const shown: Note[] = []
  const burst = new Burst((n) => shown.push(n), 30)
  for (const [who, text] of [
    ['alice', 'a'],
    ['bob', 'b'],
    ['carol', 'c'],
    ['dave', 'd'],
    ['alice', 'last one'],
  ])
    burst.add(arrival(who!, text!))
  await sleep(60)
  t.equal(shown.length, 1)
  t.same(shown[0], {
    title: '5 new messages in #general',
    body: 'From alice, bob and 2 others. Latest, alice: last one',
    room: 'general',
    mention: false,
  })
})

t.test('a mention is shown at once and on its own, not folded into the summary', async (t) => {
  const shown: Note[] = []
  const burst = new Burst((n) => shown.push(n), 30)
  burst.add(arrival('alice', 'one'))
  burst.add(arrival('alice', '@bob now', true))
  t.same(
    shown.map((n) => n.title),
    ['alice mentioned you in #general'],
    'the mention did not wait',
  )
  burst.add(arrival('carol', 'two'))
  await sleep(60)
  t.same(
    shown.map((n) => n.title),
    ['alice mentioned you in #general', '2 new messages in #general'],
  )
})

t.test('only the first three mentions in a window pop up; the rest join the summary', async (t) => {
  const shown: Note[] = []
  const burst = new Burst((n) => shown.push(n), 30)
  for (let i = 1; i <= 6; i++) burst.add(arrival('mallory', `@bob ${i}`, true))
  t.equal(shown.length, 3, 'three at once')
  await sleep(60)
  t.same(shown.map((n) => n.title).slice(3), ['3 new messages in #general'], 'then one summary for the other three')
  burst.add(arrival('alice', '@bob next window', true))
  t.equal(shown.at(-1)!.title, 'alice mentioned you in #general', 'a new window shows mentions again')
})

t.test('discard drops what was collected; flush shows it now', async (t) => {
  const shown: Note[] = []
  const burst = new Burst((n) => shown.push(n), 30)
  burst.add(arrival('alice', 'seen on the page'))
  burst.discard()
  await sleep(60)
  t.same(shown, [], 'discarded')
  burst.add(arrival('alice', 'x'))
  burst.flush()
  t.equal(shown.length, 1, 'flushed without waiting')
})
