/**
 * "People" (issue 17): everyone with an account, online or not, from GET /api/v1/people,
 * with a filter field; tick one person to message them, or several (up to seven) for a group
 * conversation (POST /api/v1/direct, through rooms.ts). By keyboard: type to filter, Tab to a
 * name, Space ticks it, Enter (or the start button) starts; Escape closes.
 */
import type { Api } from '../app/api.js'
import { Dialog, el, errorText } from '../app/dom.js'
import { statusSpot } from '../app/profiles.js'
import { filterPeople, parsePeople, startChoice } from './people-model.js'

export interface PeopleParts {
  dialog: HTMLDialogElement
  form: HTMLFormElement
  filter: HTMLInputElement
  list: HTMLUListElement
  alert: HTMLElement
  start: HTMLButtonElement
}

export interface PeopleHost {
  me(): string | null
  presence(name: string): 'online' | 'away' | 'offline'
  /** Opens the conversation with these people (started if new). */
  start(names: string[]): Promise<void>
}

export class PeopleDialog {
  private readonly dialog: Dialog
  private names: string[] = []
  private readonly chosen = new Set<string>()

  constructor(
    private readonly api: Api,
    private readonly parts: PeopleParts,
    private readonly host: PeopleHost,
  ) {
    this.dialog = new Dialog(parts.dialog, parts.alert)
    parts.filter.addEventListener('input', () => this.render())
    parts.list.addEventListener('change', (ev) => this.onTick(ev.target as HTMLInputElement))
    parts.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.submit()
    })
  }

  async open(): Promise<void> {
    this.chosen.clear()
    this.names = []
    this.parts.filter.value = ''
    this.parts.list.replaceChildren(el('li', 'side-note', 'Loading…'))
    this.syncStart()
    this.dialog.open(this.parts.filter)
    try {
      const people = parsePeople(await this.api.get<unknown>('/api/v1/people'), this.host.me())
      if (!people) throw new Error('the daemon answered something unexpected')
      this.names = people.names
      this.render()
      if (people.more) this.dialog.say('Only the first 2,000 people are listed: type a name to narrow the list.')
    } catch (err) {
      this.parts.list.replaceChildren()
      this.dialog.say(`Could not list people: ${errorText(err)}`)
    }
  }

  close(): void {
    this.dialog.close()
  }

  private render(): void {
    const shown = filterPeople(this.names, this.parts.filter.value)
    this.parts.list.replaceChildren(...shown.map((name) => this.row(name)))
    if (shown.length === 0 && this.names.length > 0) this.parts.list.append(el('li', 'side-note', 'Nobody by that name.'))
  }

  private row(name: string): HTMLLIElement {
    const li = el('li', 'people-row')
    const label = el('label', 'people-name')
    const box = el('input', '')
    box.type = 'checkbox'
    box.value = name
    box.checked = this.chosen.has(name)
    const presence = this.host.presence(name)
    label.append(box, ` ${name}`)
    if (presence !== 'offline') label.append(el('span', `people-presence ${presence}`, ` ${presence}`))
    label.append(statusSpot(name))
    li.append(label)
    return li
  }

  private onTick(box: HTMLInputElement): void {
    if (box.checked) this.chosen.add(box.value)
    else this.chosen.delete(box.value)
    this.syncStart()
  }

  private syncStart(): void {
    const choice = startChoice([...this.chosen])
    this.parts.start.textContent = choice.ok ? choice.label : 'Message'
    this.parts.start.setAttribute('aria-disabled', String(!choice.ok))
  }

  private async submit(): Promise<void> {
    const names = [...this.chosen]
    const choice = startChoice(names)
    if (!choice.ok) {
      this.dialog.say(choice.reason)
      return
    }
    this.close()
    await this.host.start(names)
  }
}
