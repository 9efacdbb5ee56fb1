import type { RoomSummary } from '../../../shared/index.js'

/** A joined public room as the room list sends it, named after its id unless `over` says otherwise. */
export function roomSummary(over: Partial<RoomSummary> & Pick<RoomSummary, 'id'>): RoomSummary {
  return {
    kind: 'public',
    name: over.id,
    topic: '',
    memberCount: 2,
    members: [],
    joined: true,
    unread: 0,
    mentions: 0,
    lastSeq: 0,
    notify: 'all',
    ...over,
  }
}
