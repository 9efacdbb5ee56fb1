/**
 * The quick switcher's choices (issue 17, Ctrl+K): rooms and people matched by what is typed.
 * A name that starts with the query comes first, then one with a word that starts with it,
 * then one that merely contains it; within each, conversations with unread messages first,
 * then the sidebar's order. With nothing typed: the conversations with unread messages, then
 * the rest, as the sidebar lists them.
 */
import type { RoomSummary } from '../../../shared/index.js'
import { roomLabel, sidebarOrder } from '../rooms/rooms-model.js'

export interface SwitchChoice {
  kind: 'room' | 'person' | 'search'
  /** The room id to open, the username to message, or the words to search the messages for. */
  target: string
  /** What the person reads: "#design", "bob, carol", "bob". */
  label: string
  /** Words for the list and for screen readers: "3 unread", "online", "start a conversation". */
  detail: string
  unread: number
}

/** At most this many choices show: the list is for picking, not browsing. */
export const MAX_CHOICES = 8

function rank(label: string, query: string): number | null {
  const name = label.toLowerCase().replace(/^[#@]/, '')
  if (query === '') return 0
  if (name.startsWith(query)) return 0
  if (name.split(/[\s,\-_.]+/).some((w) => w.startsWith(query))) return 1
  if (name.includes(query)) return 2
  return null
}

/** The choices for `typed`, best first, at most MAX_CHOICES; `choices` in the sidebar's order. */
export function matchChoices(choices: readonly SwitchChoice[], typed: string): SwitchChoice[] {
  const query = typed.trim().toLowerCase().replace(/^[#@]/, '')
  const ranked: { choice: SwitchChoice; rank: number; at: number }[] = []
  choices.forEach((choice, at) => {
    const r = rank(choice.label, query)
    if (r !== null) ranked.push({ choice, rank: r, at })
  })
  ranked.sort((a, b) => a.rank - b.rank || Number(b.choice.unread > 0) - Number(a.choice.unread > 0) || a.at - b.at)
  return ranked.slice(0, MAX_CHOICES).map((r) => r.choice)
}

/**
 * The people to offer besides the conversations: everyone named, without me and without
 * those I already have a one-to-one conversation with (that conversation is offered instead).
 */
export function peopleChoices(
  names: readonly string[],
  me: string | null,
  direct: ReadonlySet<string>,
  online: ReadonlySet<string>,
): SwitchChoice[] {
  const seen = new Set<string>()
  const out: SwitchChoice[] = []
  for (const name of names) {
    const key = name.toLowerCase()
    if (name === me || seen.has(key) || direct.has(key)) continue
    seen.add(key)
    out.push({
      kind: 'person',
      target: name,
      label: name,
      detail: online.has(name) ? 'online, start a conversation' : 'start a conversation',
      unread: 0,
    })
  }
  return out.sort((a, b) => a.label.localeCompare(b.label))
}

/**
 * The last choice once something is typed: search the messages for it (Ctrl+K was the search
 * box's shortcut before the switcher took it; Slack's switcher ends the same way). Up from the
 * first choice wraps to it.
 */
export function searchChoice(typed: string): SwitchChoice | null {
  const words = typed.trim()
  return words === '' ? null : { kind: 'search', target: words, label: `Search messages for “${words}”`, detail: '', unread: 0 }
}

/** The next highlighted index for a key, wrapping; null for keys the list does not take. */
export function moveActive(key: string, active: number, count: number): number | null {
  if (count === 0) return null
  if (key === 'ArrowDown') return (active + 1) % count
  if (key === 'ArrowUp') return (active - 1 + count) % count
  if (key === 'Home') return 0
  if (key === 'End') return count - 1
  return null
}

function roomDetail(room: RoomSummary): string {
  const kind = room.kind === 'direct' ? 'direct conversation' : room.kind === 'private' ? 'private room' : 'room'
  return room.unread > 0 ? `${kind}, ${room.unread} unread` : kind
}

/** The person's conversations as choices, in the sidebar's order (rooms, then direct ones). */
export function conversationChoices(all: readonly RoomSummary[], me: string | null): SwitchChoice[] {
  const { rooms, directs } = sidebarOrder(all, me)
  return [...rooms, ...directs].map((room) => ({
    kind: 'room',
    target: room.id,
    label: room.kind === 'direct' ? roomLabel(room, me) : `#${room.name}`,
    detail: roomDetail(room),
    unread: room.unread,
  }))
}

/** Who I already have a one-to-one conversation with (lower case). */
export function directPartners(all: readonly RoomSummary[], me: string | null): Set<string> {
  const out = new Set<string>()
  for (const room of all) {
    if (room.kind !== 'direct') continue
    const others = room.members.filter((m) => m !== me)
    if (others.length === 1 && others[0] !== undefined) out.add(others[0].toLowerCase())
  }
  return out
}
