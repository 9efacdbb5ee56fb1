/**
 * What a daemon says about itself to its neighbours: in its mDNS TXT record (strings only,
 * short keys) and, fresher, at `GET /peer/v1/advert` on its peer port. The election ranks
 * daemons by these fields alone, so every daemon that sees the same adverts decides the same.
 */
import * as z from 'zod'
import { NodeId } from './entries.js'
import { MAX_SEQ, MAX_TERM } from './limits.js'

export const Role = z.enum(['relay', 'client', 'electing'])
export type Role = z.infer<typeof Role>

export const Advert = z.object({
  proto: z.number().int().positive(),
  network: z.string().min(1).max(63),
  nodeId: NodeId,
  name: z.string().min(1).max(63),
  role: Role,
  /** Election epoch: the term of the relay this daemon is, or follows. 0 before any. */
  term: z.number().int().nonnegative().max(MAX_TERM),
  /** Highest sequence number in this daemon's log. */
  head: z.number().int().nonnegative().max(MAX_SEQ),
  /** When this daemon started, ms since the epoch: earlier wins a tie on head. */
  startedAt: z.number().int().nonnegative(),
  peerPort: z.number().int().min(1).max(65535),
  /** The relay this daemon follows, when it is a client. */
  relayId: NodeId.nullable(),
})
export type Advert = z.infer<typeof Advert>

/** TXT keys: mDNS records stay small, so each field gets a short stable key. */
export function advertToTxt(a: Advert): Record<string, string> {
  return {
    v: String(a.proto),
    net: a.network,
    id: a.nodeId,
    name: a.name,
    role: a.role,
    term: String(a.term),
    head: String(a.head),
    st: String(a.startedAt),
    pp: String(a.peerPort),
    rl: a.relayId ?? '',
  }
}

/** Parses a TXT record seen on the LAN; returns null for anything that is not a valid advert. */
export function advertFromTxt(txt: Record<string, unknown>): Advert | null {
  const str = (k: string) => {
    const v = txt[k]
    return typeof v === 'string' ? v : undefined
  }
  const num = (k: string) => {
    const s = str(k)
    return s !== undefined && /^\d{1,16}$/.test(s) ? Number(s) : undefined
  }
  const parsed = Advert.safeParse({
    proto: num('v'),
    network: str('net'),
    nodeId: str('id'),
    name: str('name'),
    role: str('role'),
    term: num('term'),
    head: num('head'),
    startedAt: num('st'),
    peerPort: num('pp'),
    relayId: str('rl') ? str('rl') : null,
  })
  return parsed.success ? parsed.data : null
}
