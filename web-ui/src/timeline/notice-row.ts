/**
 * A key notice's row in the timeline: a line between messages, not a message (no author
 * avatar, no reactions, no reply, not a stop of the arrow keys, which go from message to
 * message). Its fingerprint is in the text whole, so it is read out, copied and found by search.
 */
import type { TimelineNotice } from '../../../shared/index.js'
import { fullTimeLabel, isoTime, timeLabel } from '../app/format-model.js'
import { el } from '../app/dom.js'
import { noticeWords } from './notice-model.js'

export function renderNotice(n: TimelineNotice, me: string | null): HTMLElement {
  const row = el('div', `timeline-notice ${n.kind === 'keys.changed' ? 'is-warning' : 'is-info'}`)
  row.setAttribute('role', 'note')
  row.dataset.seq = String(n.seq)
  const icon = el('span', 'timeline-notice-icon', n.kind === 'keys.changed' ? '⚠' : '🔑')
  icon.setAttribute('aria-hidden', 'true')
  const words = noticeWords(n, me)
  const text = el('p', 'timeline-notice-text')
  text.append(words.before, el('code', 'fingerprint-code', words.fingerprint), words.after)
  const time = el('time', 'timeline-notice-time', timeLabel(n.ts))
  time.dateTime = isoTime(n.ts)
  time.title = fullTimeLabel(n.ts)
  row.append(icon, text, time)
  return row
}
