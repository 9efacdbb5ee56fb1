/**
 * The log: every change to the chat is an entry the relay orders. An entry is born as a
 * Submission (client-generated id, so a retry is idempotent), and becomes an Entry when the
 * relay gives it a sequence number and the term it was written in.
 */
import { z } from 'zod'
import { GENERAL_ROOM, MAX_MESSAGE_BYTES, USERNAME_PATTERN } from './limits.js'

export const NodeId = z.string().regex(/^[a-f0-9]{16}$/, 'a node id is 16 lowercase hex digits')
export const EntryId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an entry id is 8-64 url-safe characters')
export const Username = z.string().regex(USERNAME_PATTERN)

const utf8 = new TextEncoder()
export function utf8Length(text: string): number {
  return utf8.encode(text).length
}

export const PasswordHash = z.object({
  algo: z.literal('scrypt'),
  // Bounded: a replicated hash with huge parameters must not make log-in eat the machine.
  N: z.number().int().min(1024).max(2 ** 17).refine((n) => (n & (n - 1)) === 0, 'scrypt N must be a power of two'),
  r: z.number().int().min(1).max(16),
  p: z.number().int().min(1).max(4),
  salt: z.string().min(16).max(128),
  hash: z.string().min(32).max(256),
})

export const AccountCreated = z.object({
  type: z.literal('account.created'),
  username: Username,
  password: PasswordHash,
})

export const MessageText = z
  .string()
  .refine((s) => s.trim().length > 0, { message: 'empty_message' })
  .refine((s) => utf8Length(s) <= MAX_MESSAGE_BYTES, { message: 'message_too_large' })

export const MessagePosted = z.object({
  type: z.literal('message.posted'),
  room: z.literal(GENERAL_ROOM),
  author: Username,
  text: MessageText,
})

/**
 * How far a person has read a room, for unread counts and the "new messages" divider on every
 * machine they log in on. Positions only move forward: the view keeps the highest one.
 */
export const ReadMarked = z.object({
  type: z.literal('read.marked'),
  room: z.literal(GENERAL_ROOM),
  username: Username,
  seq: z.number().int().nonnegative(),
})

export const EntryBody = z.discriminatedUnion('type', [AccountCreated, MessagePosted, ReadMarked])

export const Submission = z.object({
  id: EntryId,
  /** Milliseconds since the epoch on the submitting machine. */
  ts: z.number().int().nonnegative(),
  /** The daemon the entry was first submitted to. */
  origin: NodeId,
  body: EntryBody,
})

export const Entry = Submission.extend({
  seq: z.number().int().positive(),
  term: z.number().int().positive(),
})

export type NodeId = z.infer<typeof NodeId>
export type PasswordHash = z.infer<typeof PasswordHash>
export type EntryBody = z.infer<typeof EntryBody>
export type Submission = z.infer<typeof Submission>
export type Entry = z.infer<typeof Entry>
export type MessagePosted = z.infer<typeof MessagePosted>
export type AccountCreated = z.infer<typeof AccountCreated>
export type ReadMarked = z.infer<typeof ReadMarked>
