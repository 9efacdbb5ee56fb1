/**
 * Room rules the page and the daemon share: how a typed name becomes a room name, and how a
 * direct conversation is named for the person looking at it.
 */
import { ROOM_NAME_PATTERN } from './limits.js'

/** "Project X " → "project-x": what people type into what a room name may be. */
export function normalizeRoomName(typed: string): string {
  return typed.trim().replace(/^#/, '').toLowerCase().replace(/\s+/g, '-')
}

export function isRoomName(name: string): boolean {
  return ROOM_NAME_PATTERN.test(name)
}

/** "bob, carol": a direct conversation is called by its other members. */
export function directTitle(members: readonly string[], me: string | null): string {
  const others = members.filter((m) => m.toLowerCase() !== me?.toLowerCase())
  return others.length === 0 ? `${me ?? ''} (you)` : others.join(', ')
}
