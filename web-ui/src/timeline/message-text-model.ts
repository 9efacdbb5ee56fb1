/**
 * A message's text as the page shows it: plain text, web links, and `@name` mentions. Pure, so
 * it is tested in Node; message-row.ts turns the parts into nodes with textContent and a checked
 * href, never markup. Only http and https links become links: `javascript:`, `data:` and
 * `file:` stay text.
 */
import { MENTION_SOURCE, mentionName } from '../../../shared/mentions.js'

export type TextPart =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; name: string; me: boolean }

// A URL runs to the next space; closing punctuation at its end belongs to the sentence.
// Mentions follow the daemon's rule (shared/mentions.ts), so a highlight means a notification.
const PATTERN = new RegExp(`(https?:\\/\\/[^\\s<>"]+)|${MENTION_SOURCE}`, 'gu')
const TRAILING = /[.,;:!?)\]}'"’”]+$/u

export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}

export function textParts(text: string, me: string | null): TextPart[] {
  const parts: TextPart[] = []
  let plain = ''
  let at = 0
  const flush = () => {
    if (plain) parts.push({ kind: 'text', text: plain })
    plain = ''
  }
  for (const m of text.matchAll(PATTERN)) {
    plain += text.slice(at, m.index)
    at = m.index + m[0].length
    if (m[1]) {
      const url = m[1].replace(TRAILING, '')
      const href = safeHref(url)
      flush()
      parts.push(href ? { kind: 'link', text: url, href } : { kind: 'text', text: url })
      plain += m[1].slice(url.length)
      continue
    }
    // Mentions may end in a dot that ends the sentence: "thanks @bob."
    const name = mentionName(m[3]!)
    plain += m[2]!
    flush()
    parts.push({ kind: 'mention', text: `@${name}`, name, me: me !== null && name.toLowerCase() === me.toLowerCase() })
    plain += m[3]!.slice(name.length)
  }
  plain += text.slice(at)
  flush()
  return parts
}

export function mentionsMe(parts: TextPart[]): boolean {
  return parts.some((p) => p.kind === 'mention' && p.me)
}
