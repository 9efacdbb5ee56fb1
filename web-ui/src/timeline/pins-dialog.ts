/**
 * The room's pinned messages, from the header's "Pinned (3)": each with its author and first
 * line (plain text), a button that goes to the message and one that unpins it. Any member may
 * pin and unpin (docs/API.md says why); a deleted message leaves the list by itself.
 */
import type { Message, MessageResponse, PinsResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { type Dialog, errorText } from '../app/dom.js'
import { messagesPath } from '../composer/sender.js'

export interface PinsHost {
  room(): string
  joined(): boolean
  /** Goes to a message of the room on screen (loading history around it if needed). */
  jump(message: Message): void
}

function firstLine(m: Message): string {
  if (m.unreadable) return 'This message cannot be read on this machine.'
  const line = m.text.trimStart().split('\n', 1)[0] ?? ''
  return line || (m.files?.length ? `📎 ${m.files[0]!.name}` : '')
}

export class PinsDialog {
  constructor(
    private readonly api: Api,
    private readonly dialog: Dialog,
    private readonly list: HTMLElement,
    private readonly host: PinsHost,
  ) {}

  async open(): Promise<void> {
    this.dialog.open()
    await this.load()
  }

  private async load(): Promise<void> {
    try {
      const res = await this.api.get<PinsResponse>(`/api/v1/rooms/${encodeURIComponent(this.host.room())}/pins`)
      this.draw(res.pins)
    } catch (err) {
      this.dialog.say(`Could not read the pinned messages: ${errorText(err)}`)
    }
  }

  private draw(pins: Message[]): void {
    if (pins.length === 0) {
      const empty = document.createElement('li')
      empty.className = 'side-note'
      empty.textContent = 'Nothing is pinned here yet. Pin a message with 📌 among its tools.'
      this.list.replaceChildren(empty)
      return
    }
    this.list.replaceChildren(...pins.map((m) => this.item(m)))
    this.list.querySelector<HTMLElement>('button')?.focus()
  }

  private item(m: Message): HTMLElement {
    const li = document.createElement('li')
    li.className = 'pin-item'
    const go = document.createElement('button')
    go.type = 'button'
    go.className = 'pin-go link-button'
    const author = document.createElement('strong')
    author.textContent = m.author
    const text = document.createElement('span')
    text.textContent = firstLine(m)
    go.append(author, ' ', text)
    // The visible words inside the name (WCAG 2.5.3, label in name): "Go to alice: Lunch?".
    go.setAttribute('aria-label', `Go to ${m.author}: ${firstLine(m)}`)
    go.addEventListener('click', () => {
      this.dialog.close()
      this.host.jump(m)
    })
    li.append(go)
    if (this.host.joined()) {
      const unpin = document.createElement('button')
      unpin.type = 'button'
      unpin.className = 'secondary small'
      unpin.textContent = 'Unpin'
      unpin.setAttribute('aria-label', `Unpin ${m.author}'s message`)
      unpin.addEventListener('click', () => void this.unpin(m))
      li.append(unpin)
    }
    return li
  }

  private async unpin(m: Message): Promise<void> {
    try {
      await this.api.call<MessageResponse>('PUT', `${messagesPath(m.room)}/${encodeURIComponent(m.id)}/pin`, { on: false })
      await this.load()
    } catch (err) {
      this.dialog.say(`Could not unpin it: ${errorText(err)}`)
    }
  }
}
