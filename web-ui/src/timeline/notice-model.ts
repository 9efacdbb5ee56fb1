/**
 * What a key notice says (daemon/store/notices.ts): the words around the person's new
 * fingerprint, which the row shows whole in a <code> between them. Said to the person whose
 * keys they are in the second person: only they can tell whether they expected it.
 */
import type { TimelineNotice } from '../../../shared/index.js'

export interface NoticeWords {
  /** Before the fingerprint. */
  before: string
  fingerprint: string
  /** After it. */
  after: string
}

export function noticeWords(n: Pick<TimelineNotice, 'kind' | 'username' | 'fingerprint'>, me: string | null): NoticeWords {
  const mine = me !== null && me.toLowerCase() === n.username.toLowerCase()
  const name = n.username
  if (n.kind === 'keys.first') {
    return mine
      ? {
          before: 'Your account now has keys; what you write from now on is signed. Your fingerprint: ',
          fingerprint: n.fingerprint,
          after: '',
        }
      : {
          before: `${name}'s account now has keys; what ${name} writes from now on is signed (fingerprint `,
          fingerprint: n.fingerprint,
          after: ')',
        }
  }
  return mine
    ? {
        before: 'Your keys changed — your new fingerprint is ',
        fingerprint: n.fingerprint,
        after: '. If you did not expect this, tell the people you write with, in person.',
      }
    : {
        before: `${name}'s keys changed — compare ${name}'s new fingerprint (`,
        fingerprint: n.fingerprint,
        after: `) with what ${name}'s screen shows`,
      }
}
