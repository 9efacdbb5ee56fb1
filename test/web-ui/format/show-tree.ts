/**
 * A RichNode tree as a short string for assertions: elements as `<tag>`, links as
 * `<a href>`, code as `` `x` `` and [code block], mentions and rooms as {@bob} {@bob!} {#room}.
 * Text is written as it is (it is never markup in the page; here it is only compared).
 */
import type { RichNode } from '../../../web-ui/src/format/rich-text-model.js'

export function show(nodes: readonly RichNode[]): string {
  return nodes.map(one).join('')
}

function one(node: RichNode): string {
  switch (node.kind) {
    case 'text':
      return node.text
    case 'break':
      return '<br>'
    case 'element':
      return `<${node.tag}${node.start !== undefined ? ` start=${node.start}` : ''}>${show(node.children)}</${node.tag}>`
    case 'code':
      return `\`${node.text}\``
    case 'codeBlock':
      return `[code block: ${node.text}]`
    case 'link':
      return `<a ${node.href}${node.title ? ` title=${node.title}` : ''}>${show(node.children)}</a>`
    case 'mention':
      return `{@${node.name}${node.me ? '!' : ''}}`
    case 'room':
      return `{#${node.name}=${node.id}}`
  }
}

/** Every link's address in a tree. */
export function hrefs(nodes: readonly RichNode[]): string[] {
  const out: string[] = []
  const pending = [...nodes]
  while (pending.length) {
    const node = pending.pop()!
    if (node.kind === 'link') out.push(node.href)
    if (node.kind === 'element' || node.kind === 'link') pending.push(...node.children)
  }
  return out
}
