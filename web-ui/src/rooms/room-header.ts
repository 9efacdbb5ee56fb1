/**
 * The room header and what depends on the room on screen: its name (`#name`, a lock for a
 * private room, people's names for a direct conversation), its topic, what the room notifies
 * the person of (all messages, mentions only, muted: the same on every machine they use), the
 * Members, Invite, Edit room and Leave buttons where they are allowed, and, in a public room
 * the person is not in, "Join #name" instead of the composer.
 */
import type { NotifyLevel, RoomSummary } from '../../../shared/index.js'
import { GENERAL_ROOM } from '../../../shared/limits.js'
import { roomLabel } from './rooms-model.js'

export interface HeaderParts {
  mark: HTMLElement
  name: HTMLElement
  kind: HTMLElement
  topic: HTMLElement
  members: HTMLButtonElement
  invite: HTMLButtonElement
  edit: HTMLButtonElement
  leave: HTMLButtonElement
  /** all / mentions / mute, for a room the person is in. */
  notify: HTMLSelectElement
  notifyAlert: HTMLElement
  composer: HTMLFormElement
  joinBar: HTMLElement
  joinNote: HTMLElement
  joinButton: HTMLButtonElement
}

export interface HeaderActions {
  members(): void
  invite(): void
  edit(): void
  leave(): void
  join(): void
  /** Asks the daemon to set the level of the room on screen; rejects with what went wrong. */
  notify(level: NotifyLevel): Promise<void>
}

const LEVELS: readonly string[] = ['all', 'mentions', 'mute'] satisfies NotifyLevel[]

/** What the header says of a room's encryption (docs/ARCHITECTURE.md, "Private rooms end to end"). */
export function encryptionNote(room: Pick<RoomSummary, 'kind' | 'encrypted' | 'waitingForKeys'>): string {
  if (room.kind === 'public') return ''
  if (room.encrypted) return ', end-to-end encrypted'
  const waiting = waitingFor(room)
  return waiting ? `, not encrypted until ${waiting}` : ', encrypted from its next message'
}

/** "olga logs in again", for a private room that waits for members without account keys; '' otherwise. */
export function waitingFor(room: Pick<RoomSummary, 'kind' | 'encrypted' | 'waitingForKeys'>): string {
  const names = room.kind === 'public' || room.encrypted ? [] : (room.waitingForKeys ?? [])
  return names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'logs' : 'log'} in again`
}

/** What a member may do in a room, by its kind (the daemon checks it again). */
export function allowed(room: Pick<RoomSummary, 'id' | 'kind' | 'joined'>): { invite: boolean; edit: boolean; leave: boolean } {
  const member = room.joined
  return {
    invite: member && room.kind !== 'direct' && room.id !== GENERAL_ROOM,
    edit: member && room.kind !== 'direct',
    leave: member && room.kind !== 'direct' && room.id !== GENERAL_ROOM,
  }
}

export class RoomHeader {
  /** The level the daemon last said, which a refused change goes back to. */
  #level: NotifyLevel = 'all'

  constructor(
    private readonly parts: HeaderParts,
    actions: HeaderActions,
  ) {
    parts.notify.addEventListener('change', () => {
      const level = parts.notify.value
      if (!LEVELS.includes(level)) return
      parts.notifyAlert.textContent = ''
      actions.notify(level as NotifyLevel).catch((err: unknown) => {
        parts.notify.value = this.#level
        parts.notifyAlert.textContent = `Notifications were not changed: ${err instanceof Error ? err.message : String(err)}`
      })
    })
    parts.members.addEventListener('click', () => actions.members())
    parts.invite.addEventListener('click', () => actions.invite())
    parts.edit.addEventListener('click', () => actions.edit())
    parts.leave.addEventListener('click', () => actions.leave())
    parts.joinButton.addEventListener('click', () => actions.join())
  }

  show(room: RoomSummary, me: string | null): void {
    const p = this.parts
    const label = roomLabel(room, me)
    p.mark.textContent = room.kind === 'private' ? '🔒' : room.kind === 'direct' ? (room.encrypted ? '🔒' : '@') : '#'
    p.mark.title = room.encrypted ? 'End-to-end encrypted: only its members’ machines, while they are logged in, can read it.' : ''
    p.name.textContent = label
    const note = encryptionNote(room)
    p.kind.textContent = room.kind === 'private' ? ` (private room${note})` : room.kind === 'direct' ? ` (direct message${note})` : ''
    // Shown, not only read out: why a private room is not encrypted yet.
    const waiting = waitingFor(room)
    const why = waiting ? `Messages here are not end-to-end encrypted until ${waiting}.` : ''
    p.topic.textContent = [room.topic, why].filter((x) => x !== '').join(' · ')
    p.topic.hidden = p.topic.textContent === ''
    p.members.textContent = `Members (${room.memberCount})`
    p.members.setAttribute('aria-label', `Members, ${room.memberCount}`)
    const can = allowed(room)
    p.invite.hidden = !can.invite
    p.edit.hidden = !can.edit
    p.edit.textContent = room.id === GENERAL_ROOM ? 'Edit topic' : 'Edit room'
    p.leave.hidden = !can.leave
    // Only for a room one is in: nothing notifies of the others.
    this.#level = room.notify
    p.notify.hidden = !room.joined
    p.notify.value = room.notify
    p.notifyAlert.textContent = ''
    p.composer.hidden = !room.joined
    p.joinBar.hidden = room.joined
    p.joinNote.textContent = room.joined ? '' : `You are previewing #${label}.`
    p.joinButton.textContent = `Join #${label}`
  }
}
