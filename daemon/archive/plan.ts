/**
 * Which rooms an export holds and how many messages each: one room the person may read now, or
 * everything they may read now (every public room, and the private rooms and direct
 * conversations they are in). A room they may not read is refused by the caller before this
 * runs (daemon/rooms mayRead); here it is checked again, so a plan never holds one.
 */
import type { Room } from '../store/index.js'
import { isEncrypted } from '../rooms/index.js'
import { countMessages } from './pages.js'
import type { ArchivePlan, ArchiveRoom, ArchiveSource } from './source.js'

export async function planExport(source: ArchiveSource, only?: Room): Promise<ArchivePlan> {
  const { views, username } = source
  const candidates = only ? [only] : await everythingReadable(source)
  const rooms: ArchiveRoom[] = []
  for (const room of candidates) {
    if (!(await views.q.canRead(room, username))) continue
    rooms.push({
      id: room.id,
      kind: room.kind,
      name: room.name,
      topic: room.topic,
      members: await views.members(room.id),
      encrypted: isEncrypted(room),
      messages: await countMessages(views, room.id, source.head),
    })
  }
  return {
    network: source.network,
    exportedBy: username,
    exportedAt: new Date().toISOString(),
    head: source.head,
    rooms,
    total: rooms.reduce((sum, r) => sum + r.messages, 0),
  }
}

/** Public rooms (general first), then the person's own rooms not already listed. */
async function everythingReadable(source: ArchiveSource): Promise<Room[]> {
  const seen = new Set<string>()
  const out: Room[] = []
  for (const room of [...(await source.views.directory()), ...(await source.views.roomsOf(source.username))]) {
    if (seen.has(room.id)) continue
    seen.add(room.id)
    out.push(room)
  }
  return out
}
