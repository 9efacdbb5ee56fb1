/**
 * "New room" and "Edit room": the name as people type it, with the name it will get shown
 * under the field ("Project X" becomes #project-x), a topic, public or private, people to
 * invite. The daemon's refusal (name taken, no such person…) is said in the dialog.
 */
import type { RoomSummary } from '../../../shared/index.js'
import { normalizeRoomName, isRoomName } from '../../../shared/rooms.js'
import { ROOM_NAME_RULE } from '../../../shared/limits.js'
import { ApiError, type Api } from '../app/api.js'
import { Dialog, errorText } from '../app/dom.js'
import { parseRoom, roomPath } from './rooms-model.js'

/** "will be #project-x", or the rule when the name cannot be one. */
export function namePreview(typed: string): string {
  if (!typed.trim()) return ''
  const name = normalizeRoomName(typed)
  return isRoomName(name) ? `The room will be called #${name}.` : ROOM_NAME_RULE
}

/** "bob, carol dave" → ['bob', 'carol', 'dave']. */
export function inviteList(typed: string): string[] {
  return [
    ...new Set(
      typed
        .split(/[\s,;]+/)
        .map((s) => s.replace(/^@/, ''))
        .filter(Boolean),
    ),
  ]
}

export function answerRoom(json: unknown): RoomSummary {
  const room = parseRoom(json)
  if (!room) throw new ApiError('bad_response', 'SO-CHAT answered with something this page does not understand. Try reloading.', 200)
  return room
}

/** The field a refusal is about, so focus goes where the fix is. */
function fieldFor(err: unknown, fields: { name: HTMLInputElement; topic: HTMLInputElement; invite?: HTMLInputElement }): HTMLInputElement {
  const code = err instanceof ApiError ? err.code : ''
  if (code === 'invalid_topic') return fields.topic
  if (code === 'unknown_author' && fields.invite) return fields.invite
  return fields.name
}

export interface RoomFormParts {
  dialog: HTMLDialogElement
  form: HTMLFormElement
  alert: HTMLElement
  name: HTMLInputElement
  preview: HTMLElement
  topic: HTMLInputElement
}

abstract class RoomForm {
  protected readonly dialog: Dialog
  private busy = false

  constructor(
    protected readonly api: Api,
    protected readonly parts: RoomFormParts,
  ) {
    this.dialog = new Dialog(parts.dialog, parts.alert)
    parts.name.addEventListener('input', () => (parts.preview.textContent = namePreview(parts.name.value)))
    parts.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.submit()
    })
  }

  close(): void {
    this.dialog.close()
  }

  protected abstract send(): Promise<RoomSummary>
  protected abstract done(room: RoomSummary): void
  protected abstract invite(): HTMLInputElement | undefined

  private async submit(): Promise<void> {
    if (this.busy) return
    this.busy = true
    this.dialog.say('')
    try {
      const room = await this.send()
      this.dialog.close()
      this.done(room)
    } catch (err) {
      this.dialog.say(errorText(err))
      const field = fieldFor(err, { name: this.parts.name, topic: this.parts.topic, invite: this.invite() })
      field.setAttribute('aria-invalid', 'true')
      field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true })
      field.focus()
    } finally {
      this.busy = false
    }
  }
}

export class NewRoomDialog extends RoomForm {
  constructor(
    api: Api,
    parts: RoomFormParts,
    private readonly inviteField: HTMLInputElement,
    private readonly created: (room: RoomSummary) => void,
  ) {
    super(api, parts)
  }

  open(): void {
    this.parts.form.reset()
    this.parts.preview.textContent = ''
    this.dialog.open(this.parts.name)
  }

  protected invite(): HTMLInputElement {
    return this.inviteField
  }

  protected async send(): Promise<RoomSummary> {
    const kind = new FormData(this.parts.form).get('kind') === 'private' ? 'private' : 'public'
    const body = { name: this.parts.name.value, topic: this.parts.topic.value.trim(), kind, invite: inviteList(this.inviteField.value) }
    return answerRoom(await this.api.post<unknown>('/api/v1/rooms', body))
  }

  protected done(room: RoomSummary): void {
    this.created(room)
  }
}

export class EditRoomDialog extends RoomForm {
  private room: RoomSummary | null = null

  constructor(
    api: Api,
    parts: RoomFormParts,
    private readonly saved: (room: RoomSummary) => void,
  ) {
    super(api, parts)
  }

  /** general keeps its name: everyone knows it by it. */
  open(room: RoomSummary): void {
    this.room = room
    this.parts.name.value = room.name
    this.parts.name.disabled = room.id === 'general'
    this.parts.preview.textContent = ''
    this.parts.topic.value = room.topic
    this.dialog.open(room.id === 'general' ? this.parts.topic : this.parts.name)
  }

  protected invite(): undefined {
    return undefined
  }

  protected async send(): Promise<RoomSummary> {
    const room = this.room!
    const body: { name?: string; topic?: string } = {}
    if (normalizeRoomName(this.parts.name.value) !== room.name && !this.parts.name.disabled) body.name = this.parts.name.value
    if (this.parts.topic.value.trim() !== room.topic) body.topic = this.parts.topic.value.trim()
    if (!body.name && body.topic === undefined) return room
    return answerRoom(await this.api.call<unknown>('PATCH', roomPath(room.id), body))
  }

  protected done(room: RoomSummary): void {
    this.saved(room)
  }
}
