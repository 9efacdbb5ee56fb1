/**
 * Editing a sent message in the composer, as in Slack: Up in an empty box (or a message's
 * Edit button) puts that message in the box with a bar saying "Editing message — Enter to
 * save, Escape to cancel"; Enter saves it with a PUT, Escape gives the box back as it was.
 */
import type { Message, MessageResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { beginEdit, EDITING_HINT, lastEditable, saveAction, type EditMode } from './editing-model.js'
import { messagesPath } from './sender.js'
import type { Timeline } from '../timeline/timeline.js'

export interface EditingParts {
  form: HTMLFormElement
  textarea: HTMLTextAreaElement
  /** role="status", always in the page, so entering edit mode is announced. */
  bar: HTMLElement
  sendButton: HTMLButtonElement
}

export interface EditingHost {
  me(): string | null
  /** Puts text in the box as if typed (the byte counter and completions follow). */
  setText(text: string): void
}

export class Editing {
  private mode: EditMode | null = null

  constructor(
    private readonly api: Api,
    private readonly timeline: Timeline,
    private readonly parts: EditingParts,
    private readonly host: EditingHost,
  ) {
    // Capture: before the composer's own Enter handling and after the completer's (added first).
    parts.textarea.addEventListener('keydown', (ev) => this.onKeyDown(ev), { capture: true })
  }

  get active(): boolean {
    return this.mode !== null
  }

  begin(message: Message): void {
    if (this.mode?.id === message.id) return this.parts.textarea.focus()
    const draft = this.mode ? this.mode.draft : this.parts.textarea.value
    this.mode = beginEdit(message, draft)
    this.host.setText(message.text)
    this.parts.bar.textContent = EDITING_HINT
    this.parts.form.classList.add('editing')
    this.parts.sendButton.textContent = 'Save'
    this.parts.textarea.focus()
  }

  /** Enter while editing: saves (if changed) and gives the box back. Throws what to tell the person. */
  async save(text: string): Promise<void> {
    const mode = this.mode
    if (!mode) return
    if (saveAction(mode, text) === 'save') {
      const path = `${messagesPath(mode.room)}/${encodeURIComponent(mode.id)}`
      const res = await this.api.call<MessageResponse>('PUT', path, { text })
      this.timeline.update(res.message)
    }
    if (this.mode === mode) this.finish()
  }

  /** Leaves edit mode with the draft back in the box (Escape, another room, log-out). */
  cancel(): void {
    if (this.mode) this.finish()
  }

  private finish(): void {
    const draft = this.mode?.draft ?? ''
    this.mode = null
    this.parts.bar.textContent = ''
    this.parts.form.classList.remove('editing')
    this.parts.sendButton.textContent = 'Send'
    this.host.setText(draft)
  }

  private onKeyDown(ev: KeyboardEvent): void {
    if (ev.isComposing || ev.shiftKey || ev.altKey || ev.ctrlKey || ev.metaKey) return
    if (ev.key === 'Escape' && this.mode) {
      ev.preventDefault()
      this.cancel()
    } else if (ev.key === 'ArrowUp' && !this.mode && this.parts.textarea.value === '') {
      const mine = lastEditable(this.timeline.messages(), this.host.me())
      if (!mine) return
      ev.preventDefault()
      this.begin(mine)
    }
  }
}
