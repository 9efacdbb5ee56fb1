/**
 * Text into HTML, for a page that must show whatever people wrote and run none of it: every
 * character that means something in markup becomes an entity, in text and in attribute values
 * alike. Direction overrides (U+202E "RLO" and friends) are kept, as they are part of what was
 * written, but every person-given text goes in a `<bdi>` (html.ts), which isolates it: an
 * override cannot flip the author's name, the time or the next message around it.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!)
}

/** A message's text: escaped, its line breaks kept as <br> (so one message stays one line of the file). */
export function escapeMultiline(text: string): string {
  return escapeHtml(text).replace(/\r\n|\r|\n/g, '<br>')
}
