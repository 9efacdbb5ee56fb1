/**
 * A formatted message as plain data: a tree of a few closed kinds of node, which
 * rich-text-view.ts turns into DOM nodes one by one (createElement, textContent, a checked
 * href). Nothing here is markup, so nothing a person types can become an element or an
 * attribute this file does not name: the allow-list is the type itself.
 */

/** The only elements formatting makes, besides links, code and line breaks. */
export type ElementTag = 'p' | 'blockquote' | 'ul' | 'ol' | 'li' | 'strong' | 'em' | 's'

export const ELEMENT_TAGS: ReadonlySet<string> = new Set<ElementTag>(['p', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 's'])

export type RichNode =
  | { kind: 'text'; text: string }
  /** A line break inside a paragraph (drawn as a newline the CSS keeps). */
  | { kind: 'break' }
  | { kind: 'element'; tag: ElementTag; children: RichNode[]; start?: number }
  /** Inline `code`. */
  | { kind: 'code'; text: string }
  /** A fenced code block, shown as typed with a Copy button. */
  | { kind: 'codeBlock'; text: string }
  /** An http(s) link; `title` names the address when the text says something else. */
  | { kind: 'link'; href: string; title: string | null; children: RichNode[] }
  | { kind: 'mention'; name: string; me: boolean }
  /** `#name` of a room the reader can see: opens it (`#room=<id>`). */
  | { kind: 'room'; id: string; name: string }

/** What the formatter needs to know about the reader. */
export interface FormatContext {
  /** The person reading (their mentions are highlighted), or null. */
  me: string | null
  /** The room a `#name` refers to, if the reader can see one by that name. */
  room(name: string): { id: string; name: string } | null
}

/** The words a tree shows, as a screen reader or a search would read them (no syntax). */
export function visibleText(nodes: readonly RichNode[]): string {
  let out = ''
  const pending: RichNode[] = [...nodes].reverse()
  // A loop, not recursion: the tree is bounded (markdown-model.ts) but this need not rely on it.
  while (pending.length > 0) {
    const node = pending.pop()!
    switch (node.kind) {
      case 'text':
      case 'code':
      case 'codeBlock':
        out += node.text
        break
      case 'break':
        out += '\n'
        break
      case 'mention':
        out += `@${node.name}`
        break
      case 'room':
        out += `#${node.name}`
        break
      case 'element':
      case 'link':
        for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!)
        break
    }
  }
  return out
}

/** How deep a tree goes: elements and links inside one another (0: text only). */
export function depthOf(nodes: readonly RichNode[]): number {
  let deepest = 0
  const pending: Array<[RichNode, number]> = nodes.map((n) => [n, 1])
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!
    if (node.kind !== 'element' && node.kind !== 'link') continue
    deepest = Math.max(deepest, depth)
    for (const c of node.children) pending.push([c, depth + 1])
  }
  return deepest
}
