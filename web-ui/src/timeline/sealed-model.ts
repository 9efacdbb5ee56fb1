/**
 * What the timeline says about end-to-end encryption (docs/ARCHITECTURE.md, "Private rooms end
 * to end"): where a room began encrypting, and why a sealed message cannot be read here. The
 * daemon opens sealed messages; the page only ever sees text or a reason.
 */
import type { Message, UnreadableReason } from '../../../shared/index.js'

export const ENCRYPTION_STARTS = 'Messages here are end-to-end encrypted from now on.'
export const UNREADABLE_TEXT = 'This message cannot be read on this machine.'

const WHY: Record<UnreadableReason, string> = {
  no_key: 'It was sent while you were not in this conversation.',
  no_session_key: 'This session holds no keys: log out and in again.',
  key_invalid: 'Your copy of the room key does not open.',
  tampered: 'It was altered on the way.',
}

/** The row's words for a message the daemon could not open, with the reason code kept for support. */
export function unreadableText(reason: UnreadableReason): { text: string; title: string } {
  return { text: UNREADABLE_TEXT, title: `${WHY[reason] ?? 'It does not open.'} (${reason})` }
}

/** Whether `m` is where the room began encrypting: the first sealed message after a plain one. */
export function startsEncryption(prev: Pick<Message, 'encrypted'> | undefined, m: Pick<Message, 'encrypted'>): boolean {
  return m.encrypted === true && prev !== undefined && prev.encrypted !== true
}
