/**
 * Editing a sent message from the composer, without the DOM: which message Up picks, and
 * what the box holds before, during and after. The draft that was in the box is kept aside
 * and comes back when the edit is saved or cancelled, as in Slack.
 */
import type { Message } from '../../../shared/index.js'

export const EDITING_HINT = 'Editing message — Enter to save, Escape to cancel'

/** My newest message that can still be edited (not deleted), or null. */
export function lastEditable(messages: readonly Message[], me: string | null): Message | null {
  if (!me) return null
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!
    if (!m.deleted && m.author.toLowerCase() === me.toLowerCase()) return m
  }
  return null
}

export interface EditMode {
  id: string
  room: string
  /** The text as sent: saving it unchanged is no edit at all. */
  original: string
  /** What was in the box before, put back afterwards. */
  draft: string
}

export function beginEdit(message: Pick<Message, 'id' | 'room' | 'text'>, draft: string): EditMode {
  return { id: message.id, room: message.room, original: message.text, draft }
}

/** What Enter does with the box's text: nothing to send when it did not change. */
export function saveAction(mode: EditMode, text: string): 'unchanged' | 'save' {
  return text.trim() === mode.original.trim() ? 'unchanged' : 'save'
}
