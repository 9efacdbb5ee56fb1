/**
 * The XSS corpus (test/fixtures/xss/vectors.json: the OWASP filter evasion cheat sheet, and
 * javascript:/vbscript:/data:/file: links in every Markdown form) through the formatter: every
 * link it makes is http or https, every element is one the allow-list names, and no vector
 * disappears (it shows as text, or as a safe link). The same corpus runs in Chromium in
 * format.browser.test.ts, where the nodes are real and a vector that ran would say so.
 */
import t from 'tap'
import { formatMessage } from '../../../web-ui/src/format/markdown-model.js'
import { ELEMENT_TAGS, type RichNode, visibleText } from '../../../web-ui/src/format/rich-text-model.js'
import { safeHref } from '../../../web-ui/src/timeline/message-text-model.js'
import { corpus } from './corpus.js'
import { hrefs } from './show-tree.js'

const ctx = { me: 'bob', room: (name: string) => (name === 'general' ? { id: 'general', name } : null) }

function tags(nodes: readonly RichNode[]): string[] {
  const out: string[] = []
  const pending = [...nodes]
  while (pending.length) {
    const node = pending.pop()!
    if (node.kind === 'element') out.push(node.tag)
    if (node.kind === 'element' || node.kind === 'link') pending.push(...node.children)
  }
  return out
}

t.test('the corpus is all there', async (t) => {
  t.ok(corpus.owasp.length >= 100, `${corpus.owasp.length} OWASP vectors`)
  t.ok(corpus.markdown.length >= 60, `${corpus.markdown.length} Markdown link vectors`)
})

for (const [name, vectors] of [
  ['owasp', corpus.owasp],
  ['markdown', corpus.markdown],
] as const) {
  t.test(`${name} vectors: only http(s) links, only allowed elements, nothing lost`, async (t) => {
    for (const vector of vectors) {
      const nodes = formatMessage(vector, ctx)
      const label = JSON.stringify(vector).slice(0, 90)
      const bad = hrefs(nodes).filter((href) => !/^https?:\/\//.test(href) || safeHref(href) !== href)
      t.same(bad, [], `${label}: links are http(s)`)
      t.same(
        tags(nodes).filter((tag) => !ELEMENT_TAGS.has(tag)),
        [],
        `${label}: allowed elements only`,
      )
      t.ok(visibleText(nodes).trim().length > 0, `${label}: shown`)
    }
  })
}

t.test('javascript:, vbscript:, data: and file: never become links, however written', async (t) => {
  // Every Markdown vector with no http(s) or www. address in it: it must make no link at all.
  const noWebAddress = corpus.markdown.filter((v) => !/https?:|www\./i.test(v))
  t.ok(noWebAddress.length >= 40, `${noWebAddress.length} of them`)
  for (const vector of noWebAddress) t.same(hrefs(formatMessage(vector, ctx)), [], `${JSON.stringify(vector).slice(0, 90)}: no link`)
})

t.test('HTML and SVG are text, word for word', async (t) => {
  // A vector with no Markdown in it (no `*_~[]` or backticks, no leading `>`/`-`/digits) shows exactly as typed.
  const pure = corpus.owasp.filter((v) => !/[*_~[\]`\\]|^\s*([>-]|\d+[.)])|https?:|&#|&[a-z]+;|\n/i.test(v))
  t.ok(pure.length >= 40, `${pure.length} of the OWASP vectors have no Markdown in them`)
  for (const vector of pure) t.equal(visibleText(formatMessage(vector, ctx)), vector, JSON.stringify(vector).slice(0, 90))
})
