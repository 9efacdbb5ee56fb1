/**
 * Point lookups on the views, over any source of keys: the database itself (routes, desktop)
 * or a transaction's overlay (the relay validating a batch, entries applying in order).
 */
import { GENERAL_ROOM, type Message, type PasswordHash, type RoomKind } from '../../shared/index.js'
import { memberKey, messageKey, userKey } from './keys.js'

export interface Account {
  username: string
  password: PasswordHash
  createdSeq: number
  /** SHA-256 of their profile picture, a square. */
  avatar?: string
}

export interface Room {
  id: string
  kind: RoomKind
  /** '' for a direct conversation. */
  name: string
  topic: string
  creator: string
  createdSeq: number
  memberCount: number
}

export interface Member {
  username: string
  /** The entry that put them in the room: what came before is not theirs to read as new. */
  since: number
}

export type ViewName = 'ids' | 'users' | 'msgs' | 'reads' | 'rooms' | 'roomNames' | 'members' | 'memberOf'
export type Lookup = <V>(sub: ViewName, key: string) => Promise<V | undefined>

/** general exists before anyone writes to it: every account is in it. */
export function generalRoom(): Room {
  return { id: GENERAL_ROOM, kind: 'public', name: GENERAL_ROOM, topic: '', creator: '', createdSeq: 0, memberCount: 0 }
}

export class ViewQueries {
  constructor(private readonly get: Lookup) {}

  account(username: string): Promise<Account | undefined> {
    return this.get<Account>('users', userKey(username))
  }

  async room(id: string): Promise<Room | undefined> {
    return (await this.get<Room>('rooms', id)) ?? (id === GENERAL_ROOM ? generalRoom() : undefined)
  }

  roomIdByName(name: string): Promise<string | undefined> {
    return this.get<string>('roomNames', name)
  }

  async isMember(room: string, username: string): Promise<boolean> {
    if (room === GENERAL_ROOM) return (await this.account(username)) !== undefined
    return (await this.get('members', memberKey(room, username))) !== undefined
  }

  /**
   * Where a person's reading of a room starts before they mark anything read: when they
   * joined it (for general, when the account was made). Old history is not "unread".
   */
  async readBaseline(room: string, username: string): Promise<number> {
    if (room === GENERAL_ROOM) return (await this.account(username))?.createdSeq ?? 0
    return (await this.get<Member>('members', memberKey(room, username)))?.since ?? 0
  }

  /** Public rooms are open to anyone to read; private and direct ones only to members. */
  async canRead(room: Room, username: string): Promise<boolean> {
    return room.kind === 'public' || this.isMember(room.id, username)
  }

  /** A message of `room` by its entry id (undefined if that id is not a message of that room). */
  async message(room: string, id: string): Promise<Message | undefined> {
    const seq = await this.get<number>('ids', id)
    return seq === undefined ? undefined : this.get<Message>('msgs', messageKey(room, seq))
  }
}
