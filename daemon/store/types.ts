/**
 * The store's shared shapes: what the views hold, how a sublevel and a batch operation look,
 * and what an undo record is made of. Types only, and no imports from the rest of the store,
 * so every module here can use them without importing each other.
 */
import type { AbstractSublevel } from 'abstract-level'
import type { AccountKeys, PasswordHash, RoomKind, WrappedKeys } from '../../shared/index.js'

// The Level instance's own type parameters are opaque here; sublevels are what we use.
// biome-ignore lint/suspicious/noExplicitAny: the parent database's own type parameters do not matter to a sublevel's user
export type Sub<V> = AbstractSublevel<any, string | Buffer | Uint8Array, string, V>

/** A batch operation on one of our sublevels (typed loosely: values are JSON). */
export type Op = { type: 'put'; sublevel: object; key: string; value: unknown } | { type: 'del'; sublevel: object; key: string }

export type ViewName =
  | 'ids'
  | 'users'
  | 'msgs'
  | 'reads'
  | 'rooms'
  | 'roomNames'
  | 'members'
  | 'memberOf'
  | 'notices'
  | 'roomKeys'
  | 'notify'
  | 'pins'
  | 'threads'
export type ViewSubs = Record<ViewName, Sub<unknown>>

/** Reads one view key: from the database, or through a transaction's overlay. */
export type Lookup = <V>(sub: ViewName, key: string) => Promise<V | undefined>

/** One key an entry changed, and what it held before (`absent`: nothing). */
export interface UndoStep {
  sub: ViewName
  key: string
  prev?: unknown
  absent?: true
}

export interface Account {
  username: string
  /** The replicated verifier of an account from before account keys, until its first log-in since. */
  password?: PasswordHash
  /** Its public keys and its private keys wrapped with its password (shared/entries.ts). */
  keys?: AccountKeys
  wrapped?: WrappedKeys
  createdSeq: number
  /** SHA-256 of their profile picture, a square. */
  avatar?: string
  /** Their display name and status (`profile.set`, the newest), when not empty. */
  displayName?: string
  status?: string
  statusEmoji?: string
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
  /**
   * End-to-end encryption (daemon/rooms/keys.ts): the room's current epoch and the seq of the
   * `room.key` that began it; absent while the room is not encrypted.
   */
  epoch?: number
  epochSeq?: number
  /** The seq of the latest change of who is in the room (absent: none since `createdSeq`). */
  membershipSeq?: number
  /** How many of its messages are pinned (absent: none). */
  pins?: number
}

/** A room's key for one epoch, as its `room.key` entry gave it: sealed to each member then. */
export interface RoomKeyRecord {
  epoch: number
  seq: number
  by: string
  /** Lower-cased username → the key sealed to their account box key. */
  sealed: Record<string, string>
  commitment: string
}

export interface Member {
  username: string
  /** The entry that put them in the room: what came before is not theirs to read as new. */
  since: number
}

export interface ReadState {
  /** The last message seq this person has read in the room (0: none). */
  seq: number
  /** Messages by others after it. */
  unread: number
  /** Of those, how many mention them. */
  mentions: number
}

/**
 * A line in a room's timeline saying that a person's account keys changed (`changed`: keys
 * other than those it had, which only a reset account or a machine swapping keys would bring)
 * or that an account from before account keys got its first (`first`). Derived from the
 * `account.keys` entry (notices.ts), at that entry's seq, in every room the person is in.
 */
export interface KeyNotice {
  room: string
  /** The `account.keys` entry's: where in the timeline the notice stands. */
  seq: number
  ts: number
  kind: 'keys.changed' | 'keys.first'
  username: string
  /** The keys the account has from then on (the fingerprint is computed from them where shown). */
  keys: AccountKeys
}
