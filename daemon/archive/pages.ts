/**
 * A room's messages, oldest first, a page at a time: never the whole history in memory. Each
 * page is a fresh range read that starts after the last key of the one before, so a long
 * export holds no LevelDB iterator (and its snapshot) open while the client is slow to read.
 */
import type { Message } from '../../shared/index.js'
import type { Views } from '../store/index.js'

export const PAGE_SIZE = 200

/**
 * The message view's keys are `ROOM!SEQ` (daemon/store/keys.ts, messageKey), so `ROOM!` starts
 * a room and `ROOM"` ('"' sorts right after '!') ends it. Only these two bounds are used here;
 * the keys in between are passed back as they came.
 */
const roomStart = (room: string) => `${room}!`
const roomEnd = (room: string) => `${room}"`
const seqOfKey = (key: string) => Number(key.slice(key.lastIndexOf('!') + 1))

export async function* roomMessages(views: Views, room: string, head: number, pageSize = PAGE_SIZE): AsyncGenerator<Message> {
  let after = roomStart(room)
  for (;;) {
    const page = await views.subs.msgs.iterator({ gt: after, lt: roomEnd(room), limit: pageSize }).all()
    for (const [key, value] of page) {
      if (seqOfKey(key) > head) return
      yield value as Message
    }
    if (page.length < pageSize) return
    after = page[page.length - 1]![0]
  }
}

/** How many messages a room has up to `head`, counted over keys only. */
export async function countMessages(views: Views, room: string, head: number): Promise<number> {
  let n = 0
  for await (const key of views.subs.msgs.keys({ gt: roomStart(room), lt: roomEnd(room) })) {
    if (seqOfKey(key) > head) break
    n++
  }
  return n
}
