/**
 * `@name` in a message: one rule for the daemon (which notifies the person named) and the
 * page (which highlights it), so both agree on who was mentioned. A name may contain dots,
 * but a trailing one ends the sentence ("thanks @bob.").
 */
export const MENTION_SOURCE = '(^|[^\\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{2,31})(?![\\w-])'

/** The name a mention match refers to: its second group without trailing dots. */
export function mentionName(raw: string): string {
  return raw.replace(/\.+$/, '')
}

export function mentionedNames(text: string): string[] {
  return [...text.matchAll(new RegExp(MENTION_SOURCE, 'gu'))].map((m) => mentionName(m[2]!))
}

/**
 * `@room` (everyone in the room) or `@here` (everyone in it who is online) in a message: the
 * wider one when both. Daemon and page agree through this one rule; the daemon notifies only
 * in rooms of at most BROADCAST_MENTION_MAX_MEMBERS (shared/limits.ts).
 */
/**
 * The words of those mentions. No account may take them as its username (daemon/accounts/
 * rules.ts): `@room` must never be read as one person, nor one person's name as everyone.
 */
export const BROADCAST_NAMES: readonly string[] = ['room', 'here']

export function broadcastMention(text: string): 'room' | 'here' | null {
  const names = mentionedNames(text).map((n) => n.toLowerCase())
  return names.includes('room') ? 'room' : names.includes('here') ? 'here' : null
}
