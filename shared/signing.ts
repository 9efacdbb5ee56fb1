/**
 * What an account signs, and which account must (issue 14). An entry is signed with Ed25519
 * (RFC 8032) by the person who makes it, over the text `signedText` returns: a context line
 * that names this use, then the submission's id, time, origin and body in the JSON
 * Canonicalization Scheme (RFC 8785, the `canonicalize` package), so the bytes do not depend
 * on key order or on which machine serialised them. The id is signed too, so the relay's
 * de-duplication by id cannot be used to swap one signed body for another; seq and term are
 * the relay's, not the author's, and are not signed.
 *
 * `actorOf` names the account an entry speaks for. The rules (daemon/rooms) decide on that
 * name only once its signature has been checked (daemon/accounts/signatures.ts), never on a
 * claimed field alone.
 */
import canonicalize from 'canonicalize'
import type { EntryBody, Submission } from './entries.js'

/** Changing what is signed means a new context line, so an old signature never verifies a new meaning. */
export const ENTRY_SIGNATURE_CONTEXT = 'SO-CHAT entry signature v1\n'

export type Signable = Pick<Submission, 'id' | 'ts' | 'origin' | 'body'>

export function signedText(s: Signable): string {
  const canonical = canonicalize({ id: s.id, ts: s.ts, origin: s.origin, body: s.body })
  // Only undefined or a function at the top has no JSON form; a parsed Submission never does.
  if (canonical === undefined) throw new TypeError('a submission has no canonical form')
  return ENTRY_SIGNATURE_CONTEXT + canonical
}

/** The account an entry is made by, which must be the one that signed it. */
export function actorOf(body: EntryBody): string {
  switch (body.type) {
    case 'account.created':
    case 'account.keys':
    case 'account.avatar':
    case 'room.left':
    case 'read.marked':
    case 'notify.set':
    case 'profile.set':
      return body.username
    case 'message.posted':
    case 'message.edited':
    case 'message.deleted':
    case 'reaction.set':
      return body.author
    case 'room.created':
      return body.creator
    case 'room.updated':
    case 'room.joined':
    case 'room.key':
    case 'pin.set':
      return body.by
  }
}
