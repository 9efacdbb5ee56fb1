/**
 * The sidebar's conversations: "Rooms" (`#name`, a lock for private ones) and "Direct
 * messages" (named after the other people), each with an unread badge whose words say how
 * many and how many mention you; the one on screen is `aria-current`. Each is a link to
 * `#room=<id>`, so it can be opened in a new tab too.
 */
import { statusSpot } from '../app/profiles.js'
import type { RoomSummary } from '../../../shared/index.js'
import { el } from '../app/dom.js'
import { badgeLabel, hashFor, roomLabel, sidebarOrder } from './rooms-model.js'

export interface RoomListParts {
  rooms: HTMLUListElement
  directs: HTMLUListElement
  /** "Choose someone under Online…": only while there is no direct conversation. */
  directsEmpty: HTMLElement
}

export class RoomList {
  constructor(
    private readonly parts: RoomListParts,
    onOpen: (room: string) => void,
  ) {
    for (const list of [parts.rooms, parts.directs]) {
      list.addEventListener('click', (ev) => {
        const link = (ev.target as Element).closest<HTMLAnchorElement>('a[data-room]')
        if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return
        ev.preventDefault()
        onOpen(link.dataset.room!)
      })
    }
  }

  show(all: readonly RoomSummary[], current: string | null, me: string | null): void {
    const { rooms, directs } = sidebarOrder(all, me)
    this.parts.rooms.replaceChildren(...rooms.map((r) => this.item(r, current, me)))
    this.parts.directs.replaceChildren(...directs.map((r) => this.item(r, current, me)))
    this.parts.directsEmpty.hidden = directs.length > 0
  }

  clear(): void {
    this.parts.rooms.replaceChildren()
    this.parts.directs.replaceChildren()
  }

  private item(room: RoomSummary, current: string | null, me: string | null): HTMLLIElement {
    const li = el('li', 'room-item')
    const link = el('a', 'room-link')
    link.href = hashFor(room.id)
    link.dataset.room = room.id
    const here = room.id === current
    if (here) link.setAttribute('aria-current', 'page')
    const mark = el('span', 'room-mark', room.kind === 'private' ? '🔒' : room.kind === 'direct' ? '@' : '#')
    mark.setAttribute('aria-hidden', 'true')
    const name = roomLabel(room, me)
    link.append(mark, el('span', 'room-link-name', name))
    // The room on screen says its count in its header; a badge here would say it twice.
    const label = here ? '' : badgeLabel(room)
    // One name in words ("project-x (private), 1 mention, 3 unread"): the badge is only a number.
    link.setAttribute('aria-label', `${name}${room.kind === 'private' ? ' (private)' : ''}${label ? `, ${label}` : ''}`)
    if (label) {
      link.classList.add('has-unread')
      const badge = el(
        'span',
        room.mentions > 0 ? 'room-badge mention' : 'room-badge',
        room.mentions > 0 ? `@${room.mentions}` : String(room.unread),
      )
      badge.setAttribute('aria-hidden', 'true')
      link.append(badge)
    }
    li.append(link)
    // A conversation with one person: their status under it (app/profiles.ts fills it).
    const others = room.kind === 'direct' ? room.members.filter((m) => m !== me) : []
    if (others.length === 1) li.append(statusSpot(others[0]!))
    return li
  }
}
