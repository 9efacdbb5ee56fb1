/**
 * How a message's text is shown: web links become links (only http and https, sentence
 * punctuation left outside), `@name` becomes a mention, highlighted when it names the person
 * reading; everything else, markup included, stays text.
 */
import t from 'tap'
import { mentionsMe, safeHref, textParts } from '../../../web-ui/src/timeline/message-text-model.js'

t.test('http and https links become links; other schemes stay text', async (t) => {
  t.same(textParts('see https://example.org/a?b=1#c now', null), [
    { kind: 'text', text: 'see ' },
    { kind: 'link', text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
    { kind: 'text', text: ' now' },
  ])
  t.same(
    textParts('(http://lab.local/wiki).', null),
    [
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'http://lab.local/wiki', href: 'http://lab.local/wiki' },
      { kind: 'text', text: ').' },
    ],
    'closing punctuation belongs to the sentence',
  )
  for (const bad of ['javascript:alert(1)', 'data:text/html,<script>x</script>', 'file:///etc/passwd', 'vbscript:x']) {
    t.same(textParts(bad, null), [{ kind: 'text', text: bad }], `${bad.split(':')[0]} stays text`)
    t.equal(safeHref(bad), null)
  }
  t.same(
    textParts('<a href="https://x.example">x</a>', null)
      .filter((p) => p.kind === 'link')
      .map((p) => p.text),
    ['https://x.example'],
    'markup around a URL is text; only the URL itself is linked',
  )
  t.equal(safeHref('https://exa mple.org'), null, 'an invalid URL is not linked')
})

t.test('@name is a mention, highlighted for the person it names', async (t) => {
  const parts = textParts('thanks @Bob. and @alice!', 'bob')
  t.same(parts, [
    { kind: 'text', text: 'thanks ' },
    { kind: 'mention', text: '@Bob', name: 'Bob', me: true },
    { kind: 'text', text: '. and ' },
    { kind: 'mention', text: '@alice', name: 'alice', me: false },
    { kind: 'text', text: '!' },
  ])
  t.ok(mentionsMe(parts))
  t.notOk(mentionsMe(textParts('mail bob@lab.example', 'bob')), 'an e-mail address is not a mention')
  t.notOk(mentionsMe(textParts('@bobby', 'bob')), 'a longer name is someone else')
  t.notOk(mentionsMe(textParts('@bob', null)), 'nobody logged in: nothing is "me"')
})

t.test('plain text is one part, unchanged', async (t) => {
  t.same(textParts('<b>bold?</b> 👋🏽', 'bob'), [{ kind: 'text', text: '<b>bold?</b> 👋🏽' }])
  t.same(textParts('', 'bob'), [])
})
