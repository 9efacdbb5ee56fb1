/**
 * The quick switcher (issue 17): Ctrl+K (⌘K on a Mac) anywhere in the chat opens a dialog
 * with one field, a combobox whose listbox holds the matching rooms, direct conversations and
 * people (switcher-model.ts ranks them). Up and Down move the highlight (aria-activedescendant,
 * so focus stays in the field), Enter opens the highlighted one, Escape closes and focus goes
 * back where it was (dom.ts's Dialog). Once something is typed, the last choice searches the
 * messages for it (the search box had Ctrl+K before; "/" still goes straight to it).
 */
import { statusSpot } from './profiles.js'
import { Dialog } from './dom.js'
import { matchChoices, moveActive, searchChoice, type SwitchChoice } from './switcher-model.js'

export interface SwitcherParts {
  dialog: HTMLDialogElement
  input: HTMLInputElement
  list: HTMLElement
  alert: HTMLElement
}

export interface SwitcherHost {
  /** Logged in and the chat shown: only then does Ctrl+K open it. */
  enabled: () => boolean
  /** Every choice, in the sidebar's order. */
  choices: () => SwitchChoice[]
  choose: (choice: SwitchChoice) => Promise<void>
  /** Called at each opening: fetches what `choices` offers beyond the page (the directory). */
  refresh?: () => Promise<void>
}

export class QuickSwitcher {
  private readonly dialog: Dialog
  private shown: SwitchChoice[] = []
  private active = 0

  constructor(
    private readonly parts: SwitcherParts,
    private readonly host: SwitcherHost,
  ) {
    this.dialog = new Dialog(parts.dialog, parts.alert)
    document.addEventListener('keydown', (ev) => this.onGlobalKey(ev))
    parts.input.addEventListener('input', () => this.render())
    parts.input.addEventListener('keydown', (ev) => this.onKey(ev))
    // mousedown would take focus from the field; a click still chooses.
    parts.list.addEventListener('mousedown', (ev) => ev.preventDefault())
    parts.list.addEventListener('click', (ev) => {
      const option = (ev.target as Element).closest<HTMLElement>('[role="option"]')
      const index = option ? Number(option.dataset.index) : -1
      if (index >= 0) void this.pick(index)
    })
  }

  open(): void {
    this.parts.input.value = ''
    this.render()
    this.dialog.open(this.parts.input)
    // The list is redrawn with everyone once the directory comes (what is typed is kept).
    void this.host.refresh?.().then(
      () => {
        if (this.dialog.isOpen) this.render(true)
      },
      (err) => console.warn('Quick switcher: could not list people; offering those seen', err),
    )
  }

  close(): void {
    this.dialog.close()
  }

  private onGlobalKey(ev: KeyboardEvent): void {
    if (ev.key.toLowerCase() !== 'k' || !(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return
    if (!this.host.enabled()) return
    // Another dialog is open (a modal): it keeps the keyboard; Ctrl+K in the switcher closes it.
    if (this.dialog.isOpen) {
      ev.preventDefault()
      return this.close()
    }
    if (document.querySelector('dialog[open]')) return
    ev.preventDefault()
    this.open()
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.isComposing || ev.altKey || ev.ctrlKey || ev.metaKey) return
    if (ev.key === 'Enter') {
      ev.preventDefault()
      void this.pick(this.active)
      return
    }
    // Home and End move the caret in the field, as in any text box.
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return
    const next = moveActive(ev.key, this.active, this.shown.length)
    if (next === null) return
    ev.preventDefault()
    this.active = next
    this.highlight()
  }

  /** `keep`: the highlight stays where it was (a redraw the person did not ask for). */
  private render(keep = false): void {
    const typed = this.parts.input.value
    const matched = matchChoices(this.host.choices(), typed)
    const search = searchChoice(typed)
    const before = this.shown[this.active]
    this.shown = search ? [...matched, search] : matched
    const same = keep && before ? this.shown.findIndex((c) => c.kind === before.kind && c.target === before.target) : -1
    this.active = Math.max(0, same)
    const { list, input } = this.parts
    list.replaceChildren(
      ...this.shown.map((choice, i) => {
        const li = document.createElement('li')
        li.id = `switcher-option-${i}`
        li.setAttribute('role', 'option')
        li.dataset.index = String(i)
        li.className = 'switcher-option'
        const name = document.createElement('span')
        name.className = 'switcher-name'
        name.textContent = choice.label
        const detail = document.createElement('span')
        detail.className = 'switcher-detail'
        detail.textContent = choice.detail
        if (choice.detail) li.append(name, ' ', detail)
        else li.append(name)
        // A person, or a conversation with one: their status (app/profiles.ts fills it).
        if (choice.kind === 'person') li.append(statusSpot(choice.target))
        return li
      }),
    )
    input.setAttribute('aria-expanded', String(this.shown.length > 0))
    this.dialog.say(matched.length === 0 && typed.trim() !== '' ? 'No room or person by that name: Enter searches the messages.' : '')
    this.highlight()
  }

  private highlight(): void {
    const options = this.parts.list.querySelectorAll<HTMLElement>('[role="option"]')
    options.forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === this.active))
    })
    const active = options[this.active]
    if (active) {
      this.parts.input.setAttribute('aria-activedescendant', active.id)
      active.scrollIntoView({ block: 'nearest' })
    } else this.parts.input.removeAttribute('aria-activedescendant')
  }

  private async pick(index: number): Promise<void> {
    const choice = this.shown[index]
    if (!choice) return
    // Closed first: focus goes back where it was, and the room shown then takes it (the
    // composer); a refusal is said by rooms.ts in the chat's alert.
    const closed = new Promise<void>((resolve) => this.parts.dialog.addEventListener('close', () => resolve(), { once: true }))
    this.close()
    // After Dialog's own close listener has put focus back, so the choice can move it on.
    await closed
    await this.host.choose(choice)
  }
}
