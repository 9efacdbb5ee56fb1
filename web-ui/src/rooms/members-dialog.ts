/**
 * A room's members, with who is online or away now and each one's account fingerprint, and
 * (where allowed) a field to invite someone. Each other member's name starts a direct
 * conversation with them.
 */
import type { MembersResponse, RoomSummary } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { button, Dialog, el, errorText } from '../app/dom.js'
import { statusSpot } from '../app/profiles.js'
import { fingerprintLine } from './fingerprint-view.js'
import { allowed } from './room-header.js'
import { roomLabel, roomPath } from './rooms-model.js'

export interface MembersParts {
  dialog: HTMLDialogElement
  title: HTMLElement
  list: HTMLUListElement
  inviteForm: HTMLFormElement
  inviteAlert: HTMLElement
  inviteName: HTMLInputElement
}

export interface MembersHost {
  me(): string | null
  presence(name: string): 'online' | 'away' | 'offline'
  message(name: string): void
  invited(room: RoomSummary): void
}

export class MembersDialog {
  private readonly dialog: Dialog
  private room: RoomSummary | null = null

  constructor(
    private readonly api: Api,
    private readonly parts: MembersParts,
    private readonly host: MembersHost,
  ) {
    this.dialog = new Dialog(parts.dialog, parts.inviteAlert)
    parts.inviteForm.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.invite()
    })
  }

  /** `invite`: open with the caret in the invite field ("Invite" in the header). */
  async open(room: RoomSummary, invite = false): Promise<void> {
    this.room = room
    const label = roomLabel(room, this.host.me())
    this.parts.title.textContent = room.kind === 'direct' ? `People in this conversation` : `Members of #${label}`
    this.parts.inviteForm.hidden = !allowed(room).invite
    this.parts.inviteName.value = ''
    this.parts.list.replaceChildren(el('li', 'side-note', 'Loading…'))
    this.dialog.open(invite ? this.parts.inviteName : undefined)
    await this.load(room)
  }

  close(): void {
    this.dialog.close()
  }

  private async load(room: RoomSummary): Promise<void> {
    try {
      const res = await this.api.get<MembersResponse>(`${roomPath(room.id)}/members`)
      if (this.room?.id === room.id) this.render(res.members, res.fingerprints ?? {})
    } catch (err) {
      this.parts.list.replaceChildren(el('li', 'side-note', `Could not list the members: ${errorText(err)}`))
    }
  }

  private render(members: readonly string[], fingerprints: Record<string, string | null>): void {
    const me = this.host.me()
    this.parts.list.replaceChildren(
      ...members.map((name) => {
        const presence = this.host.presence(name)
        const li = el('li', `member is-${presence}`)
        const dot = el('span', 'presence-dot')
        dot.setAttribute('aria-hidden', 'true')
        li.append(dot)
        if (name === me) li.append(el('span', 'member-name', name), el('span', 'you', ' (you)'))
        else li.append(button(name, 'person-button member-name', () => this.startDirect(name), `Message ${name}`))
        li.append(el('span', 'member-presence', presence === 'offline' ? 'offline' : presence), statusSpot(name))
        li.append(fingerprintLine(name, fingerprints[name] ?? null))
        return li
      }),
    )
  }

  private startDirect(name: string): void {
    this.dialog.close()
    this.host.message(name)
  }

  private async invite(): Promise<void> {
    const room = this.room
    const username = this.parts.inviteName.value.trim().replace(/^@/, '')
    if (!room || !username) return this.dialog.say('Enter the username of the person to invite.')
    try {
      const res = await this.api.post<{ room: RoomSummary }>(`${roomPath(room.id)}/members`, { username })
      this.dialog.say('')
      this.parts.inviteName.value = ''
      this.room = res.room
      this.host.invited(res.room)
      await this.load(res.room)
    } catch (err) {
      this.dialog.say(errorText(err))
      this.parts.inviteName.focus()
    }
  }
}
