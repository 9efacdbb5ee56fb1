/** Zero-padded so LevelDB's byte order is numeric order. */
export function seqKey(seq: number): string {
  return seq.toString().padStart(12, '0')
}

export function messageKey(room: string, seq: number): string {
  return `${room}!${seqKey(seq)}`
}

export function userKey(username: string): string {
  return username.toLowerCase()
}

/** One key per mark, so undoing a mark (truncation) uncovers the one before it. */
export function readKey(username: string, room: string, seq: number): string {
  return `${username.toLowerCase()}!${room}!${seqKey(seq)}`
}

/** A person's notification level in a room (`notify.set`): one key, the newest entry's level. */
export function notifyKey(username: string, room: string): string {
  return `${username.toLowerCase()}!${room}`
}

/** A room's member, by room: for member lists. */
export function memberKey(room: string, username: string): string {
  return `${room}!${username.toLowerCase()}`
}

/** A room's key of one epoch: the room's keys in epoch order. */
export function roomKeyKey(room: string, epoch: number): string {
  return `${room}!${seqKey(epoch)}`
}

/** The same membership by person: for "my rooms". */
export function memberOfKey(username: string, room: string): string {
  return `${username.toLowerCase()}!${room}`
}

/** A room's notices, in seq order (notices.ts). */
export function noticeKey(room: string, seq: number): string {
  return `${room}!${seqKey(seq)}`
}

/** A reply in a thread, under its root: a thread's replies in order. */
export function threadKey(room: string, rootSeq: number, seq: number): string {
  return `${room}!${seqKey(rootSeq)}!${seqKey(seq)}`
}
