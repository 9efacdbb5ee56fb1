/**
 * What formatting makes of what people type (web-ui/src/format/markdown-model.ts): Slack's
 * everyday Markdown, links only to http and https (bare `www.` too), `@name` as the daemon
 * reads it, `#room` only for a room the reader can see; and input built to hurt (10,000
 * levels, 16 KiB of backticks) shown as typed, quickly, without throwing.
 */
import t from 'tap'
import { formatMessage, MAX_DEPTH } from '../../../web-ui/src/format/markdown-model.js'
import { depthOf, type FormatContext, visibleText } from '../../../web-ui/src/format/rich-text-model.js'
import { RoomLinks } from '../../../web-ui/src/format/room-links-model.js'
import { MAX_MESSAGE_BYTES } from '../../../shared/limits.js'
import { hrefs, show } from './show-tree.js'

const rooms = new RoomLinks()
rooms.know([
  { id: 'general', kind: 'public', name: 'general' },
  { id: 'r-7f3a', kind: 'private', name: 'design' },
  { id: 'dm-1', kind: 'direct', name: '' },
])
const ctx: FormatContext = { me: 'bob', room: (name) => rooms.find(name) }
const html = (text: string) => show(formatMessage(text, ctx))

t.test('everyday formatting', async (t) => {
  t.equal(html('**bold** and __bold__'), '<p><strong>bold</strong> and <strong>bold</strong></p>')
  t.equal(html('*italic* and _italic_'), '<p><em>italic</em> and <em>italic</em></p>')
  t.equal(html('~~gone~~'), '<p><s>gone</s></p>')
  t.equal(html('run `npm test` now'), '<p>run `npm test` now</p>')
  t.equal(html('```\nconst a = 1\n  indented\n```'), '[code block: const a = 1\n  indented]', 'code keeps its lines and spaces')
  t.equal(html('```js\n<b>x</b>\n```'), '[code block: <b>x</b>]', 'the language is not shown, the code is as typed')
  t.equal(html('> quoted\n> twice'), '<blockquote><p>quoted<br>twice</p></blockquote>')
  t.equal(html('- one\n- two'), '<ul><li>one</li><li>two</li></ul>')
  t.equal(html('1. one\n2. two'), '<ol><li>one</li><li>two</li></ol>')
  t.equal(html('3. three\n4. four'), '<ol start=3><li>three</li><li>four</li></ol>', 'a list keeps its first number')
  t.equal(html('line one\nline two'), '<p>line one<br>line two</p>', 'a line break is a line break')
  t.equal(html('one\n\ntwo'), '<p>one</p><p>two</p>')
  t.equal(
    html('- a\n  > quoted in a list\n- **b**'),
    '<ul><li>a<blockquote><p>quoted in a list</p></blockquote></li><li><strong>b</strong></li></ul>',
  )
  t.equal(html('snake_case_name and 2*3*4'), '<p>snake_case_name and 2<em>3</em>4</p>', 'underscores inside words stay (CommonMark)')
})

t.test('what is off shows as typed', async (t) => {
  t.equal(html('# not a heading'), '<p># not a heading</p>')
  t.equal(html('title\n==='), '<p>title<br>===</p>')
  t.equal(html('---'), '<p>---</p>', 'no rule')
  t.equal(html('| a | b |\n| - | - |\n| 1 | 2 |'), '<p>| a | b |<br>| - | - |<br>| 1 | 2 |</p>', 'no table')
  t.equal(html('    four spaces'), '<p>four spaces</p>', 'indenting is not code')
  t.equal(
    html('![a cat](https://example.org/cat.png)'),
    '<p>!<a https://example.org/cat.png title=https://example.org/cat.png>a cat</a></p>',
    'an image is a link, never fetched',
  )
  t.equal(html('<b>bold?</b> <i>no</i>'), '<p><b>bold?</b> <i>no</i></p>', 'HTML is text')
  t.equal(
    html('[x][1]\n\n[1]: https://example.org'),
    '<p>[x][1]</p><p>[1]: <a https://example.org/>https://example.org</a></p>',
    'no hidden references',
  )
  t.equal(
    html('&amp; &copy; &#35;'),
    '<p>&amp; &copy; &#35;</p>'.replace('&amp;', '&').replace('&copy;', '©').replace('&#35;', '#'),
    'entities are characters',
  )
})

t.test('links: http and https only, bare www. too, never other bare names', async (t) => {
  t.equal(html('see https://example.org/a?b=1#c now'), '<p>see <a https://example.org/a?b=1#c>https://example.org/a?b=1#c</a> now</p>')
  t.equal(
    html('(http://lab.local/wiki).'),
    '<p>(<a http://lab.local/wiki>http://lab.local/wiki</a>).</p>',
    'closing punctuation stays outside',
  )
  t.equal(html('at www.example.org, today'), '<p>at <a http://www.example.org/>www.example.org</a>, today</p>')
  t.equal(html('WWW.Example.org/x'), '<p><a http://www.example.org/x>WWW.Example.org/x</a></p>')
  t.equal(html('example.org and bob@lab.example'), '<p>example.org and bob@lab.example</p>', 'no fuzzy domains, no e-mail')
  t.equal(html('ftp://x.example //x.example mailto:a@b.example'), '<p>ftp://x.example //x.example mailto:a@b.example</p>')
  t.equal(
    html('[the wiki](https://lab.example/wiki)'),
    '<p><a https://lab.example/wiki title=https://lab.example/wiki>the wiki</a></p>',
    'written words: the address in the title',
  )
  t.equal(
    html('[**bold** link](https://a.example)'),
    '<p><a https://a.example/ title=https://a.example/><strong>bold</strong> link</a></p>',
  )
  t.equal(html('[](https://a.example)'), '<p><a https://a.example/>https://a.example/</a></p>', 'a link with no words shows its address')
  t.equal(html('<https://a.example/x>'), '<p><a https://a.example/x>https://a.example/x</a></p>')
  t.equal(
    html('[x](https://exa mple.org)'),
    '<p>[x](<a https://exa/>https://exa</a> mple.org)</p>',
    'not a written link; the address up to the space is one',
  )
  t.equal(
    html('[@bob #general](https://a.example)'),
    '<p><a https://a.example/ title=https://a.example/>@bob #general</a></p>',
    'no mention or room inside a link',
  )
  for (const href of hrefs(formatMessage('https://a.example www.b.example [c](http://c.example)', ctx))) t.match(href, /^https?:\/\//)
})

t.test('@mentions: the daemon rule, the reader highlighted', async (t) => {
  t.equal(html('thanks @Bob. and @alice!'), '<p>thanks {@Bob!}. and {@alice}!</p>')
  t.equal(html('**@bob** look'), '<p><strong>{@bob!}</strong> look</p>')
  t.equal(html('`@bob` in code'), '<p>`@bob` in code</p>', 'code is as typed')
  t.equal(html('mail bob@lab.example'), '<p>mail bob@lab.example</p>', 'an e-mail address is not a mention')
  t.equal(html('@bobby'), '<p>{@bobby}</p>', 'a longer name is someone else')
  t.equal(show(formatMessage('@bob', { ...ctx, me: null })), '<p>{@bob}</p>', 'nobody logged in: nobody is "me"')
})

t.test('#room: a room the reader can see, by name, to its id', async (t) => {
  t.equal(html('see #general and #design.'), '<p>see {#general=general} and {#design=r-7f3a}.</p>')
  t.equal(html('#Design'), '<p>{#design=r-7f3a}</p>', 'names are lower case; the room is found whatever the case')
  t.equal(
    html('#secret #42 C#design a#general'),
    '<p>#secret #42 C#design a#general</p>',
    'unknown rooms, numbers and words with # stay text',
  )
  t.equal(html('`#general`'), '<p>`#general`</p>')
  const none = new RoomLinks()
  t.equal(show(formatMessage('#general', { me: 'bob', room: (n) => none.find(n) })), '<p>#general</p>', 'before the list is known: text')
  rooms.know([])
  t.equal(html('#general'), '<p>#general</p>', 'after log-out: text')
  rooms.know([
    { id: 'general', kind: 'public', name: 'general' },
    { id: 'r-7f3a', kind: 'private', name: 'design' },
  ])
})

t.test('bad input renders as typed, quickly, and never throws', async (t) => {
  const typed = (text: string) => {
    const started = performance.now()
    const nodes = formatMessage(text, ctx)
    const ms = performance.now() - started
    t.ok(depthOf(nodes) <= MAX_DEPTH, `depth ${depthOf(nodes)} is bounded`)
    return { nodes, ms }
  }
  const report: string[] = []
  for (const [name, text] of [
    ['10,000 nested quotes', `${'> '.repeat(10_000)}deep`],
    ['10,000 nested lists', `${'- '.repeat(10_000)}deep`],
    ['8,000 nested emphasis', `${'*'.repeat(8000)}x${'*'.repeat(8000)}`],
  ] as const) {
    const { nodes, ms } = typed(text.slice(0, MAX_MESSAGE_BYTES))
    t.equal(visibleText(nodes), text.slice(0, MAX_MESSAGE_BYTES), `${name}: shown as typed, nothing lost`)
    report.push(`${name} ${ms.toFixed(0)} ms`)
  }
  // A link cannot hold a link: the innermost is one, the brackets around it are text (and the
  // addresses in that text are links of their own).
  const brackets = `${'['.repeat(1300)}x${'](https://a.example)'.repeat(1300)}`.slice(0, MAX_MESSAGE_BYTES)
  const links = typed(brackets)
  t.same(new Set(hrefs(links.nodes)), new Set(['https://a.example/']), '1,300 nested links: no link in a link')
  t.equal(depthOf(links.nodes), 2, 'a paragraph and a link, no deeper')
  t.ok(visibleText(links.nodes).startsWith('['.repeat(1299)), 'the brackets are shown')
  report.push(`1,300 nested links ${links.ms.toFixed(0)} ms`)
  const backticks = '`'.repeat(MAX_MESSAGE_BYTES)
  t.equal(visibleText(typed(backticks).nodes), backticks, '16 KiB of backticks (an empty code block) is shown as typed')
  const fence = `\`\`\`\n${'`'.repeat(MAX_MESSAGE_BYTES - 4)}`
  t.ok(visibleText(typed(fence).nodes).includes('`'.repeat(100)), 'a fence of backticks shows them')
  t.equal(
    html(`${'> '.repeat(MAX_DEPTH - 1)}just deep enough`).split('<blockquote>').length - 1,
    MAX_DEPTH - 1,
    'up to the limit, quotes are quotes',
  )
  t.equal(html(' \n\t'), '', 'only spaces: nothing')
  t.equal(html(''), '')
  for (const weird of ['\u0000', '\uD800', '\u202Eevil', '[', '`', '*', '<', '&#0;', '&#xD800;', 'x\r\ny']) {
    t.doesNotThrow(() => formatMessage(weird, ctx), JSON.stringify(weird))
  }
  t.comment(`parse and tree of the worst inputs: ${report.join(', ')}`)
})
