/**
 * Emoji reactions without the DOM: who gave one, what a chip says, and the list as it will
 * be once a toggle is accepted (shown at once, then replaced by the daemon's answer).
 */
import type { ReactionCount } from '../../../shared/index.js'
import { emojiNameOf } from '../composer/emoji-model.js'

/** The quick set under "Add reaction", as in Slack: the rest is one search away. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '👀'] as const

/** "thumbs up": what a screen reader says for the emoji (the emoji itself until the data is loaded). */
export function emojiName(char: string): string {
  return emojiNameOf(char) ?? char
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

export function reactedBy(reaction: ReactionCount, me: string | null): boolean {
  return me !== null && reaction.users.some((u) => same(u, me))
}

/** "you, bob and carol": me first, as Slack says it. */
export function whoReacted(users: readonly string[], me: string | null): string {
  const names = [...users]
    .sort((a, b) => (me && same(a, me) ? -1 : me && same(b, me) ? 1 : a.localeCompare(b)))
    .map((u) => (me && same(u, me) ? 'you' : u))
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/** The chip's accessible name: "👍 2, thumbs up, from you and bob". */
export function chipLabel(reaction: ReactionCount, me: string | null): string {
  return `${reaction.emoji} ${reaction.users.length}, ${emojiName(reaction.emoji)}, from ${whoReacted(reaction.users, me)}`
}

/** The reactions once `me` gives (`on`) or takes back `emoji`; empty ones disappear. */
export function toggled(reactions: readonly ReactionCount[], emoji: string, me: string, on: boolean): ReactionCount[] {
  const out: ReactionCount[] = []
  let found = false
  for (const r of reactions) {
    if (r.emoji !== emoji) {
      out.push(r)
      continue
    }
    found = true
    const others = r.users.filter((u) => !same(u, me))
    const users = on ? [...others, me] : others
    if (users.length > 0) out.push({ emoji, users })
  }
  if (!found && on) out.push({ emoji, users: [me] })
  return out
}
