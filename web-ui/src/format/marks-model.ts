/**
 * `@name` and `#room` inside a run of plain text (never inside code or a link: the caller
 * decides). Mentions follow the daemon's rule (shared/mentions.ts), so a highlighted name is
 * one the daemon notified. A `#name` becomes a link only when the reader can see a room of that
 * name; any other `#word` (an issue number, a hashtag) stays text.
 */
import { MENTION_SOURCE, mentionName } from '../../../shared/mentions.js'
import type { FormatContext, RichNode } from './rich-text-model.js'

// A room name as shared/limits.ts's ROOM_NAME_PATTERN allows, after a space or punctuation:
// "C#" or "a#b" or "&#35;" are not room links.
const ROOM_SOURCE = '(^|[^\\w#&/])#([a-z0-9][a-z0-9_-]{0,39})(?![\\w-])'
const MARKS = new RegExp(`${MENTION_SOURCE}|${ROOM_SOURCE}`, 'giu')

export function markText(text: string, ctx: FormatContext): RichNode[] {
  const out: RichNode[] = []
  let plain = ''
  let at = 0
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain })
    plain = ''
  }
  for (const m of text.matchAll(MARKS)) {
    plain += text.slice(at, m.index)
    at = m.index + m[0].length
    if (m[2] !== undefined) {
      // Mentions may end in a dot that ends the sentence: "thanks @bob."
      const name = mentionName(m[2])
      plain += m[1]!
      flush()
      out.push({ kind: 'mention', name, me: ctx.me !== null && name.toLowerCase() === ctx.me.toLowerCase() })
      plain += m[2].slice(name.length)
      continue
    }
    const room = ctx.room(m[4]!.toLowerCase())
    plain += m[3]!
    if (!room) {
      plain += `#${m[4]!}`
      continue
    }
    flush()
    out.push({ kind: 'room', id: room.id, name: room.name })
  }
  plain += text.slice(at)
  flush()
  return out
}
