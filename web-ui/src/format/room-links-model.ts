/**
 * The rooms a `#name` in a message may link to: the reader's own rooms (public and private,
 * the list the sidebar shows) and a public room being previewed. Kept up to date by
 * rooms/rooms.ts each time it draws the sidebar, and emptied at log-out. A `#name` of a room
 * not here (someone else's private room, one that does not exist) stays text, so a message
 * never reveals or guesses a room the reader cannot see.
 */

export interface LinkableRoom {
  id: string
  kind: string
  /** '' for a direct conversation, which has no `#name`. */
  name: string
}

export class RoomLinks {
  private byName = new Map<string, { id: string; name: string }>()

  /** The rooms the reader can see now (replaces what was known). */
  know(rooms: readonly LinkableRoom[]): void {
    this.byName = new Map(
      rooms.filter((r) => r.name !== '' && r.kind !== 'direct').map((r) => [r.name.toLowerCase(), { id: r.id, name: r.name }]),
    )
  }

  find(name: string): { id: string; name: string } | null {
    return this.byName.get(name.toLowerCase()) ?? null
  }
}

/** The page's one directory: rooms.ts tells it, message rows ask it. */
export const roomLinks = new RoomLinks()
