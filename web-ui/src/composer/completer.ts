/**
 * The composer's suggestion list (an ARIA combobox on the textarea): arrow keys move through
 * it, Enter or Tab takes the highlighted one, Escape closes it. While it is open, Enter picks
 * rather than sends, so its keydown listener runs before the composer's (capture phase).
 *
 * It also turns a fully typed shortcode into its emoji: `:tada:` followed by a space or a
 * punctuation mark at once, and every one left in the text when it is sent (Enter or the Send
 * button; both listeners run before the composer's). The emoji data is fetched the first time
 * a `:` suggestion is wanted; until it is here, shortcodes stay as typed.
 */
import { emojiCandidates, nameCandidates, triggerAt, type Candidate, type Trigger } from './completion-model.js'
import { emojiIfLoaded, loadEmoji } from './emoji-data.js'
import { emojiForCode, replaceShortcodes, toned } from './emoji-model.js'
import { recentEmoji, skinTone } from './emoji-prefs.js'

/** A finished `:code:` just before what was typed; not after a letter or digit ("10:30:45"). */
const CODE_BEFORE = /(?<![\p{L}\p{N}]):([a-z0-9_+-]{1,64}):$/iu
/** What ends a shortcode when typed after it. */
const ENDS_CODE = /^[\s\p{P}\p{S}]$/u

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
    textarea.addEventListener('input', (ev) => {
      if (ev instanceof InputEvent) this.expandTyped(ev)
      this.update()
    })
    textarea.form?.addEventListener('submit', () => this.expandAll(), { capture: true })
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
    const candidates = !trigger ? [] : trigger.kind === 'emoji' ? this.emojiFor(trigger) : nameCandidates(trigger.query, this.names())
    if (!trigger || candidates.length === 0) return this.close()
    this.trigger = trigger
    this.candidates = candidates
    this.active = 0
    this.render()
  }

  /** Suggestions once the data is here; the first `:xx` fetches it and asks again. */
  private emojiFor(trigger: Trigger): Candidate[] {
    const set = emojiIfLoaded()
    if (set) return emojiCandidates(trigger.query, set, { recent: recentEmoji(), tone: skinTone() })
    loadEmoji().then(
      () => {
        if (document.activeElement === this.textarea) this.update()
      },
      (err: unknown) => console.warn('emoji: no suggestions, the data did not load', err),
    )
    return []
  }

  /** `:tada:` + space or punctuation → 🎉 + it, the caret where it was. */
  private expandTyped(ev: InputEvent): void {
    const typed = ev.inputType === 'insertLineBreak' ? '\n' : ev.inputType === 'insertText' ? ev.data : null
    const set = emojiIfLoaded()
    const ta = this.textarea
    if (!set || !typed || !ENDS_CODE.test(typed) || ta.selectionStart !== ta.selectionEnd) return
    const end = ta.selectionStart - typed.length
    const m = CODE_BEFORE.exec(ta.value.slice(Math.max(0, end - 70), end))
    const emoji = m && emojiForCode(set, m[1]!)
    if (!m || !emoji) return
    ta.setRangeText(toned(emoji, skinTone()), end - m[0].length, end, 'preserve')
    ta.dispatchEvent(new Event('input', { bubbles: true }))
  }

  /** Before a send: every complete shortcode in the text becomes its emoji. */
  private expandAll(): void {
    const set = emojiIfLoaded()
    const ta = this.textarea
    if (!set) return
    const text = replaceShortcodes(ta.value, set, skinTone())
    if (text === ta.value) return
    ta.value = text
    ta.dispatchEvent(new Event('input', { bubbles: true }))
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
    if (ev.isComposing) return
    const sends = ev.key === 'Enter' && !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey
    if (!this.isOpen) return sends ? this.expandAll() : undefined
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
