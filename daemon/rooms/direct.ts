import { createHash } from 'node:crypto'

/**
 * A direct conversation's id follows from who is in it, so two people starting one at the
 * same moment on two machines get the same room (the relay takes the first, refuses the
 * second as existing, and both end up in one conversation).
 */
export function directRoomId(members: readonly string[]): string {
  const names = [...new Set(members.map((m) => m.toLowerCase()))].sort()
  return `dm-${createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16)}`
}
