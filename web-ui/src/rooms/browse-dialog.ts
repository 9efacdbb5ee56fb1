/**
 * "Browse rooms": every public room, joined or not, with its topic and how many are in it;
 * Open one you are in, or View (read before joining) and Join one you are not. A filter
 * field narrows the list as you type.
 */
import type { RoomSummary } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { button, Dialog, el, errorText } from '../app/dom.js'
import { parseRooms } from './rooms-model.js'

export interface BrowseParts {
  dialog: HTMLDialogElement
  alert: HTMLElement
  filter: HTMLInputElement
  list: HTMLUListElement
}

export interface BrowseActions {
  open(room: string): void
  join(room: string): Promise<void>
}

export class BrowseDialog {
  private readonly dialog: Dialog
  private rooms: RoomSummary[] = []

  constructor(
    private readonly api: Api,
    private readonly parts: BrowseParts,
    private readonly actions: BrowseActions,
  ) {
    this.dialog = new Dialog(parts.dialog, parts.alert)
    parts.filter.addEventListener('input', () => this.render())
  }

  async open(): Promise<void> {
    this.parts.filter.value = ''
    this.rooms = []
    this.render()
    this.dialog.open(this.parts.filter)
    try {
      this.rooms = parseRooms(await this.api.get<unknown>('/api/v1/rooms-directory')) ?? []
      this.render()
    } catch (err) {
      this.dialog.say(`Could not list the rooms: ${errorText(err)}`)
    }
  }

  close(): void {
    this.dialog.close()
  }

  private render(): void {
    const q = this.parts.filter.value.trim().replace(/^#/, '').toLowerCase()
    const shown = this.rooms.filter((r) => !q || r.name.includes(q) || r.topic.toLowerCase().includes(q))
    const items = shown.map((r) => this.item(r))
    if (items.length === 0) items.push(el('li', 'side-note', this.rooms.length ? 'No room matches.' : 'Loading…'))
    this.parts.list.replaceChildren(...items)
  }

  private item(room: RoomSummary): HTMLLIElement {
    const li = el('li', 'directory-item')
    const text = el('div', 'directory-text')
    text.append(el('span', 'directory-name', `#${room.name}`))
    if (room.topic) text.append(el('span', 'directory-topic', room.topic))
    text.append(
      el(
        'span',
        'directory-count',
        `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}${room.joined ? ' · you are in it' : ''}`,
      ),
    )
    li.append(text)
    if (room.joined) li.append(button('Open', 'secondary small', () => this.go(room.id), `Open #${room.name}`))
    else
      li.append(
        button('View', 'secondary small', () => this.go(room.id), `View #${room.name}`),
        button('Join', 'primary small', () => void this.join(room), `Join #${room.name}`),
      )
    return li
  }

  private go(room: string): void {
    this.dialog.close()
    this.actions.open(room)
  }

  private async join(room: RoomSummary): Promise<void> {
    try {
      await this.actions.join(room.id)
      this.dialog.close()
    } catch (err) {
      this.dialog.say(`Could not join #${room.name}: ${errorText(err)}`)
    }
  }
}
