/**
 * A presence pass: a person's own word that they are using a machine (issue 14, "presence and
 * typing frames are tied to an authenticated session"). A client daemon tells the relay who
 * has its page open (the `presence` frame) and who is typing; without a pass, any member
 * machine could show anyone online on it, or typing. With one, the relay shows a person on a
 * machine, and passes their typing on, only while that machine holds a pass the person signed
 * for exactly that machine (its node id, which its TLS certificate proves) and not expired.
 *
 * The daemon signs a pass when the person opens the page (their keys are open for that
 * request), Ed25519 (RFC 8032) over `passText`: a context line of its own (so a pass is never
 * an entry's signature, nor one an entry's) and the RFC 8785 form of {username, machine,
 * until}. A pass lasts PASS_LIFETIME_MS and is renewed while the page stays open; a machine
 * that keeps an old one can claim the person for at most that long after they left it.
 */
import canonicalize from 'canonicalize'
import * as z from 'zod'
import { NodeId, Username } from './entries.js'
import { MAX_DATE_MS } from './limits.js'

export const PASS_LIFETIME_MS = 24 * 60 * 60_000
/** A pass is renewed when less than this is left of it. */
export const PASS_RENEW_MS = 12 * 60 * 60_000

export const PresencePass = z.object({
  username: Username,
  machine: NodeId,
  /** Milliseconds since the epoch: the relay's clock must be before it. */
  until: z.number().int().nonnegative().max(MAX_DATE_MS),
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'a signature is 64 bytes in base64url'),
})
export type PresencePass = z.infer<typeof PresencePass>

export const PRESENCE_PASS_CONTEXT = 'SO-CHAT presence pass v1\n'

export function passText(pass: Omit<PresencePass, 'sig'>): string {
  return PRESENCE_PASS_CONTEXT + canonicalize({ username: pass.username, machine: pass.machine, until: pass.until })
}
