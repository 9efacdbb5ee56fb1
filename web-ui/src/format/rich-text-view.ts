/**
 * A formatted message's nodes on the page: each RichNode becomes the element its kind names,
 * made with createElement, its words with textContent, a link's address checked again
 * (http and https only). No markup is parsed here or anywhere on the way (see
 * markdown-model.ts for why), so nothing typed can become an element, an attribute or a script.
 *
 * A code block has a Copy button, one of its row's tools (data-tool: reached by Tab from the
 * message, row-keys.ts), so the message list stays one Tab stop however much code it holds.
 */
import { safeHref } from '../timeline/message-text-model.js'
import { ELEMENT_TAGS, type RichNode } from './rich-text-model.js'

export const COPY_LABEL = 'Copy code'
export const COPIED_LABEL = 'Code copied'
const COPIED_FOR_MS = 2000

export function renderRichText(nodes: readonly RichNode[]): DocumentFragment {
  const out = document.createDocumentFragment()
  // Recursion is bounded: markdown-model.ts never makes a tree deeper than MAX_DEPTH.
  for (const node of nodes) out.append(renderNode(node))
  return out
}

function renderNode(node: RichNode): Node {
  switch (node.kind) {
    case 'text':
      return document.createTextNode(node.text)
    case 'break':
      // A newline, not <br>: .msg-text keeps it (white-space: pre-wrap), and the text a
      // person copies or a screen reader reads is the message as typed, line breaks included.
      return document.createTextNode('\n')
    case 'element': {
      // The type allows only these tags; checked again because a wrong one must never be made.
      if (!ELEMENT_TAGS.has(node.tag)) return document.createTextNode('')
      const el = document.createElement(node.tag)
      if (node.tag === 'ol' && node.start !== undefined) (el as HTMLOListElement).start = node.start
      el.append(renderRichText(node.children))
      return el
    }
    case 'code':
      return element('code', 'inline-code', node.text)
    case 'codeBlock':
      return codeBlock(node.text)
    case 'link':
      return link(node)
    case 'mention':
      return element('span', node.me ? 'mention mention-me' : 'mention', `@${node.name}`)
    case 'room': {
      // The same tab: the page's hashchange opens the room (rooms/rooms.ts).
      const a = element('a', 'msg-room', `#${node.name}`)
      a.href = `#room=${encodeURIComponent(node.id)}`
      return a
    }
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  el.className = className
  el.textContent = text
  return el
}

/** Links open in a new tab without telling the site where they came from. */
function link(node: Extract<RichNode, { kind: 'link' }>): Node {
  const href = safeHref(node.href)
  if (!href) return renderRichText(node.children)
  const a = document.createElement('a')
  a.className = 'msg-link'
  a.href = href
  a.target = '_blank'
  a.rel = 'noopener noreferrer nofollow'
  if (node.title) a.title = node.title
  a.append(renderRichText(node.children))
  return a
}

function codeBlock(text: string): HTMLElement {
  const box = element('div', 'code-block', '')
  const pre = document.createElement('pre')
  const code = element('code', '', text)
  pre.append(code)
  const copy = element('button', 'code-copy', 'Copy')
  copy.type = 'button'
  copy.dataset.tool = 'copy-code'
  // Reached by Tab from its row (row-keys.ts makes the row's tools tabbable), like the others.
  copy.tabIndex = -1
  copy.setAttribute('aria-label', COPY_LABEL)
  copy.addEventListener('click', () => void copyCode(copy, code))
  box.append(pre, copy)
  return box
}

/**
 * To the clipboard (127.0.0.1 is a secure context, so the Clipboard API is there); if the
 * browser refuses, the code is selected so that Ctrl+C copies it, and the button says so.
 */
async function copyCode(button: HTMLButtonElement, code: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(code.textContent ?? '')
    say(button, 'Copied', COPIED_LABEL)
  } catch (err) {
    console.warn('clipboard refused; the code is selected instead', err)
    getSelection()?.selectAllChildren(code)
    say(button, 'Press Ctrl+C', 'Code selected: press Ctrl+C to copy it')
  }
}

function say(button: HTMLButtonElement, text: string, label: string): void {
  button.textContent = text
  button.setAttribute('aria-label', label)
  setTimeout(() => {
    button.textContent = 'Copy'
    button.setAttribute('aria-label', COPY_LABEL)
  }, COPIED_FOR_MS)
}
