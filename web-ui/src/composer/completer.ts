/**
 * The composer's suggestion list (an ARIA combobox on the textarea): arrow keys move through
 * it, Enter or Tab takes the highlighted one, Escape closes it. While it is open, Enter picks
 * rather than sends, so its keydown listener runs before the composer's (capture phase).
 */
import { emojiCandidates, nameCandidates, triggerAt, type Candidate, type Trigger } from './completion-model.js'

export class Completer {
  private trigger: Trigger | null = null
  private candidates: Candidate[] = []
  private active = 0

  constructor(
    private readonly textarea: HTMLTextAreaElement,
    private readonly list: HTMLElement,
    /** People who can be mentioned (the page knows who is online and who wrote). */
    private readonly names: () => string[],
  ) {
    textarea.setAttribute('role', 'combobox')
    textarea.setAttribute('aria-autocomplete', 'list')
    textarea.setAttribute('aria-controls', list.id)
    textarea.setAttribute('aria-expanded', 'false')
    textarea.addEventListener('keydown', (ev) => this.onKeyDown(ev), { capture: true })
    textarea.addEventListener('input', () => this.update())
    textarea.addEventListener('click', () => this.update())
    textarea.addEventListener('blur', () => this.close())
    // pointerdown, not click: a click would blur the textarea (and close the list) first.
    list.addEventListener('pointerdown', (ev) => {
      const option = (ev.target as HTMLElement).closest<HTMLElement>('[role="option"]')
      if (!option) return
      ev.preventDefault()
      this.accept(Number(option.dataset.index))
    })
  }

  get isOpen(): boolean {
    return !this.list.hidden
  }

  close(): void {
    this.trigger = null
    this.candidates = []
    this.list.hidden = true
    this.list.replaceChildren()
    this.textarea.setAttribute('aria-expanded', 'false')
    this.textarea.removeAttribute('aria-activedescendant')
  }

  private update(): void {
    const ta = this.textarea
    const trigger = ta.selectionStart === ta.selectionEnd ? triggerAt(ta.value, ta.selectionStart) : null
    const candidates = !trigger
      ? []
      : trigger.kind === 'emoji'
        ? emojiCandidates(trigger.query)
        : nameCandidates(trigger.query, this.names())
    if (!trigger || candidates.length === 0) return this.close()
    this.trigger = trigger
    this.candidates = candidates
    this.active = 0
    this.render()
  }

  private render(): void {
    const options = this.candidates.map((c, i) => {
      const li = document.createElement('li')
      li.id = `${this.list.id}-${i}`
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', String(i === this.active))
      li.dataset.index = String(i)
      li.textContent = c.label
      return li
    })
    this.list.replaceChildren(...options)
    this.list.hidden = false
    this.textarea.setAttribute('aria-expanded', 'true')
    this.textarea.setAttribute('aria-activedescendant', `${this.list.id}-${this.active}`)
  }

  private onKeyDown(ev: KeyboardEvent): void {
    if (!this.isOpen || ev.isComposing) return
    const n = this.candidates.length
    switch (ev.key) {
      case 'ArrowDown':
        this.active = (this.active + 1) % n
        break
      case 'ArrowUp':
        this.active = (this.active - 1 + n) % n
        break
      case 'Enter':
      case 'Tab':
        if (ev.shiftKey) return
        this.accept(this.active)
        break
      case 'Escape':
        this.close()
        break
      default:
        return
    }
    ev.preventDefault()
    ev.stopImmediatePropagation()
    if (this.isOpen) this.render()
  }

  private accept(index: number): void {
    const c = this.candidates[index]
    const trigger = this.trigger
    if (!c || !trigger) return
    this.close()
    const ta = this.textarea
    ta.setRangeText(c.insert, trigger.start, ta.selectionStart, 'end')
    ta.dispatchEvent(new Event('input', { bubbles: true }))
    ta.focus()
  }
}
