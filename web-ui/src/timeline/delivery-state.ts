/**
 * The delivery state of one of my messages, drawn on its row: waiting for the relay, not
 * sent (with why, and what to do), or just sent. The state is always words in the row's
 * heading, never colour alone, so a screen reader says it and a colour-blind reader sees it.
 */
import { fullTimeLabel, isoTime, timeLabel } from '../app/format-model.js'

export type DeliveryState = { kind: 'pending' } | { kind: 'failed'; reason: string } | { kind: 'sent' } | { kind: 'normal' }

/** What the buttons of a failed row do; read by the timeline's one click listener. */
export type RowAction = 'dismiss' | 'copy-back'

export const PENDING_TEXT = 'waiting for the relay…'
export const SENT_TEXT = 'sent'

export function failedText(reason: string): string {
  return `Not sent: ${reason}`
}

/** Sets the row's state: its class, the words in its heading and, when failed, its buttons. */
export function showDeliveryState(row: HTMLElement, state: DeliveryState): void {
  row.classList.toggle('pending', state.kind === 'pending')
  row.classList.toggle('failed', state.kind === 'failed')
  row.querySelector(':scope .msg-state')?.remove()
  row.querySelector(':scope .msg-actions')?.remove()
  if (state.kind === 'normal') return
  if (state.kind === 'failed') {
    // Below the text, not in the heading: a reason is a sentence and needs the width.
    const note = document.createElement('p')
    note.className = 'msg-state failed'
    note.id = `state-${row.dataset.id ?? ''}`
    note.textContent = failedText(state.reason)
    row.querySelector('.msg-body')?.append(note, failedActions(note.id))
    return
  }
  const note = document.createElement('span')
  note.className = `msg-state ${state.kind}`
  note.textContent = state.kind === 'pending' ? PENDING_TEXT : SENT_TEXT
  row.querySelector('.msg-head')?.append(note)
}

function failedActions(describedBy: string): HTMLElement {
  const bar = document.createElement('div')
  bar.className = 'msg-actions'
  bar.append(actionButton('Dismiss', 'dismiss', describedBy), actionButton('Copy text back to the composer', 'copy-back', describedBy))
  return bar
}

function actionButton(label: string, action: RowAction, describedBy: string): HTMLButtonElement {
  const b = document.createElement('button')
  b.type = 'button'
  b.className = 'secondary small'
  b.textContent = label
  b.dataset.action = action
  // Several failed rows may each have a "Dismiss": the reason says which one this is.
  b.setAttribute('aria-describedby', describedBy)
  return b
}

/** How long a row that was pending says "sent" once it arrived: long enough to notice. */
const SENT_NOTE_MS = 4000

/** A pending row's message arrived (at the relay's time `ts`): it looks normal again, saying "sent" for a moment. */
export function showArrived(el: HTMLElement, ts: number, wasWaiting: boolean): void {
  showDeliveryState(el, wasWaiting ? { kind: 'sent' } : { kind: 'normal' })
  // The relay's time is the one every machine shows; the outbox's may differ slightly.
  const time = el.querySelector('time')
  if (time) {
    time.textContent = timeLabel(ts)
    time.dateTime = isoTime(ts)
    time.title = fullTimeLabel(ts)
  }
  if (wasWaiting)
    setTimeout(() => {
      if (el.querySelector('.msg-state.sent')) showDeliveryState(el, { kind: 'normal' })
    }, SENT_NOTE_MS)
}
