/**
 * A message's Markdown as a tree of RichNodes (rich-text-model.ts), with markdown-it.
 *
 * Why a token stream and no HTML: markdown-it's renderer produces an HTML string, which would
 * then have to go through innerHTML and a sanitiser (DOMPurify) and be trusted to come out
 * clean. Here the page never parses markup at all: markdown-it parses (raw HTML off), and this
 * file walks its tokens and keeps only the kinds it knows, as data; rich-text-view.ts makes each
 * node with createElement and textContent. A token this file does not know becomes its text.
 * A `<script>` or `<svg onload>` in a message is therefore text by construction, not by a
 * filter's judgement, and no sanitiser ships in the bundle.
 *
 * What is formatted (as Slack does, give or take): **bold**, _italic_, ~~strike~~, `code`,
 * fenced code blocks, > quotes, lists, links (http and https only; bare `www.` ones too), `@name`
 * and `#room`. Headings, rules, tables, images, indented code and link reference definitions
 * are off: in a chat they surprise more than they help ("# 1 priority", four spaces of indent),
 * and an image must never be fetched from a message. A line break is a line break.
 *
 * Safety nets: a message nesting deeper than MAX_DEPTH (10,000 `>`s, 8,000 `*`s), or one whose
 * formatting would show nothing of what was typed (16 KiB of backticks is an empty code block),
 * is shown as typed instead (plainText), never half-rendered or empty.
 */
import MarkdownIt, { type Token } from 'markdown-it'
import { safeHref, textParts } from '../timeline/message-text-model.js'
import { markText } from './marks-model.js'
import { depthOf, type ElementTag, type FormatContext, type RichNode, visibleText } from './rich-text-model.js'

/** Deeper than this, a message is shown as typed (a quote in a list in a quote… is 6). */
export const MAX_DEPTH = 16

const md = new MarkdownIt('default', {
  html: false,
  linkify: true,
  typographer: false,
  breaks: true,
  // markdown-it stops parsing deeper blocks (and drops them); well past MAX_DEPTH, so that a
  // message that deep is caught here and shown as typed, never shown cut.
  maxNesting: MAX_DEPTH + 4,
})
md.disable(['heading', 'lheading', 'hr', 'table', 'code', 'reference', 'image', 'html_block', 'html_inline'])
// Bare `www.` links come from linkify-it's fuzzy links (others, "example.com", stay text below);
// no e-mail, ftp: or protocol-relative links.
md.linkify.set({ fuzzyLink: true, fuzzyEmail: false, fuzzyIP: false })
md.linkify.add('ftp:', null).add('mailto:', null).add('//', null)
// Every link, written or found, is http or https, as the page allowed before formatting.
md.validateLink = (url) => safeHref(url) !== null

const ELEMENTS: Record<string, ElementTag> = {
  paragraph_open: 'p',
  blockquote_open: 'blockquote',
  bullet_list_open: 'ul',
  ordered_list_open: 'ol',
  list_item_open: 'li',
  strong_open: 'strong',
  em_open: 'em',
  s_open: 's',
}

class TooDeep extends Error {}

/** Where children go: an element or link being built, or its parent (a token kept as text). */
interface Frame {
  children: RichNode[]
  inLink: boolean
  /** The written link (`[words](address)`) this frame builds, finished when it closes. */
  link?: LinkNode
}

type LinkNode = Extract<RichNode, { kind: 'link' }>

/** The message as a tree: formatted, or as typed when formatting would hide or lose it. */
export function formatMessage(text: string, ctx: FormatContext): RichNode[] {
  let nodes: RichNode[]
  try {
    nodes = fromTokens(md.parse(text, {}), ctx)
  } catch (err) {
    if (!(err instanceof TooDeep)) console.error('message formatting failed; shown as typed', err)
    return plainText(text, ctx)
  }
  if (text.trim() !== '' && visibleText(nodes).trim() === '') return plainText(text, ctx)
  return nodes
}

/** As typed: one paragraph (its line breaks kept by CSS), with links, mentions and rooms. */
export function plainText(text: string, ctx: FormatContext): RichNode[] {
  const children: RichNode[] = []
  for (const part of textParts(text, ctx.me)) {
    if (part.kind === 'link') children.push({ kind: 'link', href: part.href, title: null, children: [{ kind: 'text', text: part.text }] })
    else if (part.kind === 'mention') children.push({ kind: 'mention', name: part.name, me: part.me })
    else children.push(...markText(part.text, { me: null, room: ctx.room }))
  }
  return children.length ? [{ kind: 'element', tag: 'p', children }] : []
}

function fromTokens(tokens: Token[], ctx: FormatContext): RichNode[] {
  const tree = new TreeBuilder(ctx)
  tree.add(tokens)
  return tree.finish()
}

/** Walks the block tokens and each inline token's children with one stack: no recursion. */
class TreeBuilder {
  private readonly root: Frame = { children: [], inLink: false }
  private readonly stack: Frame[] = [this.root]

  constructor(private readonly ctx: FormatContext) {}

  add(list: Token[]): void {
    for (let i = 0; i < list.length; i++) {
      const token = list[i]!
      if (token.nesting === 1) this.open(token, list[i + 1])
      else if (token.nesting === -1) this.close()
      else this.leaf(token)
    }
  }

  finish(): RichNode[] {
    if (this.stack.length !== 1) throw new Error(`tokens left ${this.stack.length - 1} elements open`)
    if (depthOf(this.root.children) > MAX_DEPTH) throw new TooDeep()
    return this.root.children
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1]!
  }

  private open(token: Token, next: Token | undefined): void {
    // A tight list's paragraphs are hidden: their text goes straight into the item.
    if (token.hidden) return this.passThrough(this.top.inLink)
    const tag = ELEMENTS[token.type]
    if (tag === 'ol') return this.push({ kind: 'element', tag, children: [], ...listStart(token) }, { inLink: false })
    if (tag) return this.push({ kind: 'element', tag, children: [] }, { inLink: this.top.inLink })
    if (token.type !== 'link_open') return this.passThrough(this.top.inLink)
    const href = safeHref(String(token.attrGet('href') ?? ''))
    // linkify-it also finds "example.com"; only `www.` and written-out addresses are linked.
    const bare = token.markup === 'linkify' && !/^(https?:\/\/|www\.)/i.test(next?.content ?? '')
    if (!href || bare) return this.passThrough(true)
    const link: LinkNode = { kind: 'link', href, title: null, children: [] }
    this.push(link, { inLink: true, ...(token.info === 'auto' ? {} : { link }) })
  }

  /** A token not kept (a hidden paragraph, a refused link): its content goes into the parent. */
  private passThrough(inLink: boolean): void {
    this.stack.push({ children: this.top.children, inLink })
  }

  private push(node: RichNode & { children: RichNode[] }, frame: Omit<Frame, 'children'>): void {
    this.top.children.push(node)
    if (this.stack.length > MAX_DEPTH) throw new TooDeep()
    this.stack.push({ ...frame, children: node.children })
  }

  private close(): void {
    if (this.stack.length <= 1) throw new Error('a closing token without its opening one')
    const frame = this.stack.pop()!
    if (frame.link) nameLink(frame.link)
  }

  private leaf(token: Token): void {
    const into = this.top.children
    switch (token.type) {
      case 'inline':
        return this.add(token.children ?? [])
      case 'text':
      case 'text_special':
        if (!token.content) return
        if (this.top.inLink) into.push({ kind: 'text', text: token.content })
        else into.push(...markText(token.content, this.ctx))
        return
      case 'softbreak':
      case 'hardbreak':
        return void into.push({ kind: 'break' })
      case 'code_inline':
        return void into.push({ kind: 'code', text: token.content })
      case 'fence':
        return void into.push({ kind: 'codeBlock', text: token.content.replace(/\n$/, '') })
      default:
        // Not a kind kept (none is expected with the rules above): its text, as text.
        if (token.content) into.push({ kind: 'text', text: token.content })
    }
  }
}

/** `start` of a numbered list that does not start at 1 (a sane integer, or none). */
function listStart(token: Token): { start?: number } {
  const raw = token.attrGet('start')
  const start = raw === null ? 1 : Number(raw)
  return Number.isSafeInteger(start) && start !== 1 ? { start } : {}
}

/**
 * A written link's words can say anything ("[your bank](https://elsewhere.example)"): its
 * title shows the address on hover; a link with no words shows the address as its words.
 */
function nameLink(link: LinkNode): void {
  const words = visibleText(link.children).trim()
  if (!words) link.children.push({ kind: 'text', text: link.href })
  else if (words !== link.href) link.title = link.href
}
