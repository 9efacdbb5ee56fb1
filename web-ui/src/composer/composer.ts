/**
 * The message box. It refuses an empty or over-size message itself, with a sentence saying
 * why, before anything is sent: the relay would refuse it too, but only after a round trip
 * and with the draft at risk. The draft stays in the box until the daemon has accepted it,
 * or has it safe in its outbox (the sender then hands it off and the box is free again).
 */
import { describeDraftProblem, draftProblem, utf8Bytes } from '../app/format-model.js'
import { MAX_MESSAGE_BYTES } from '../../../shared/limits.js'

export interface ComposerParts {
  form: HTMLFormElement
  textarea: HTMLTextAreaElement
  sendButton: HTMLButtonElement
  /** role="alert", always in the page (so it is announced when filled): why it can't be sent. */
  problem: HTMLElement
  /** Quiet byte counter, shown only near the limit. */
  counter: HTMLElement
}

/** Show the counter from this share of the limit on, so nobody is surprised at the end. */
const COUNTER_FROM = 0.8

/** Sends `text`; may call `handOff` while still sending, once the text is safe elsewhere. */
export type SendFn = (text: string, handOff: () => void) => Promise<void>

export class Composer {
  private sending = false
  /** Told of every change of the box's text (typed, set, cleared): the draft keeper listens. */
  changed: ((text: string) => void) | null = null

  /** `hasFiles`: attachments wait to go, so an empty text may be sent with them. */
  constructor(
    private readonly parts: ComposerParts,
    private readonly send: SendFn,
    private readonly hasFiles: () => boolean = () => false,
  ) {
    parts.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.submit()
    })
    parts.textarea.addEventListener('keydown', (ev) => this.onKeyDown(ev))
    parts.textarea.addEventListener('input', () => this.onInput())
  }

  focus(): void {
    this.parts.textarea.focus()
  }

  reset(): void {
    this.parts.textarea.value = ''
    this.showProblem(null)
    this.onInput()
  }

  get text(): string {
    return this.parts.textarea.value
  }

  /** Replaces what is in the box, caret at the end, as if typed. */
  setText(text: string): void {
    const ta = this.parts.textarea
    ta.value = text
    ta.setSelectionRange(text.length, text.length)
    ta.dispatchEvent(new Event('input', { bubbles: true }))
  }

  setPlaceholder(text: string): void {
    this.parts.textarea.placeholder = text
  }

  /** Puts a message that was not sent back in the box, after whatever is being written. */
  restoreDraft(text: string): void {
    const ta = this.parts.textarea
    ta.value = ta.value.trim() ? `${ta.value.replace(/\s+$/, '')}\n${text}` : text
    ta.setSelectionRange(ta.value.length, ta.value.length)
    ta.dispatchEvent(new Event('input', { bubbles: true }))
    ta.focus()
  }

  /** Puts text where the caret was (replacing any selection), as typing it would. */
  insertAtCaret(text: string): void {
    const ta = this.parts.textarea
    ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, 'end')
    ta.focus()
    ta.dispatchEvent(new Event('input', { bubbles: true }))
  }

  private onKeyDown(ev: KeyboardEvent): void {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese...) must not send.
    if (ev.key !== 'Enter' || ev.shiftKey || ev.altKey || ev.ctrlKey || ev.metaKey || ev.isComposing) return
    ev.preventDefault()
    void this.submit()
  }

  private onInput(): void {
    this.changed?.(this.parts.textarea.value)
    const bytes = utf8Bytes(this.parts.textarea.value)
    const over = bytes > MAX_MESSAGE_BYTES
    const counter = this.parts.counter
    counter.hidden = bytes < MAX_MESSAGE_BYTES * COUNTER_FROM
    counter.textContent = `${bytes.toLocaleString('en')} / ${MAX_MESSAGE_BYTES.toLocaleString('en')} bytes`
    counter.classList.toggle('over', over)
    if (over) this.showProblem(describeDraftProblem({ kind: 'too_large', bytes, limit: MAX_MESSAGE_BYTES }))
    else if (this.parts.textarea.getAttribute('aria-invalid') === 'true') this.showProblem(null)
  }

  private async submit(): Promise<void> {
    if (this.sending) return
    const text = this.parts.textarea.value
    const problem = draftProblem(text)
    if (problem && !(problem.kind === 'empty' && this.hasFiles())) {
      this.showProblem(describeDraftProblem(problem))
      this.focus()
      return
    }
    this.setSending(true)
    let handedOff = false
    // Only clear what was sent: the person may have kept typing while it was in flight.
    const release = () => {
      if (this.parts.textarea.value === text) this.reset()
      this.setSending(false)
    }
    try {
      await this.send(text, () => {
        handedOff = true
        release()
      })
      if (!handedOff) release()
    } catch (err) {
      if (!handedOff) this.showProblem(err instanceof Error ? err.message : String(err))
    } finally {
      if (!handedOff) this.setSending(false)
    }
  }

  private setSending(on: boolean): void {
    this.sending = on
    this.parts.form.setAttribute('aria-busy', String(on))
    this.parts.sendButton.setAttribute('aria-disabled', String(on))
  }

  private showProblem(text: string | null): void {
    const { problem, textarea } = this.parts
    problem.textContent = text ?? ''
    textarea.setAttribute('aria-invalid', String(text !== null))
  }
}
