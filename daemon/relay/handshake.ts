import { PROTOCOL_VERSION, type Hello } from '../../shared/index.js'
import type { EntryLog } from '../store/index.js'
import type { ErrorCode } from '../../shared/index.js'

export type HandshakeResult = { ok: true; from: number } | { ok: false; code: ErrorCode; message: string }

/**
 * Accepts a hello from our protocol and network and finds `from`: the newest of the client's
 * checkpoints that our log has with the same id. The client keeps its log up to there and
 * gets everything after it from us.
 *
 * A client with entries always sends its first one as a checkpoint, so `from` 0 to a client
 * with entries says our logs share nothing; its follower refuses that (replica/follower.ts).
 */
export async function handshake(
  hello: Hello,
  network: string,
  log: EntryLog,
  /** This relay's node id, and the one the link's TLS certificate names (null: none, a test's plain link). */
  who: { self: string; certified: string | null } = { self: '', certified: null },
): Promise<HandshakeResult> {
  if (hello.nodeId === who.self) return { ok: false, code: 'frame_invalid', message: 'A daemon cannot link to itself.' }
  // Who a link is comes from its TLS certificate (link/tls.ts); a hello naming another machine is a lie.
  if (who.certified !== null && who.certified !== hello.nodeId)
    return { ok: false, code: 'frame_invalid', message: `This link's key is machine ${who.certified}, not ${hello.nodeId}.` }
  if (hello.proto !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'protocol_mismatch',
      message: `This relay speaks SO-CHAT protocol ${PROTOCOL_VERSION}, not ${hello.proto}. Update SO-CHAT on every machine.`,
    }
  }
  if (hello.network !== network) {
    return { ok: false, code: 'network_mismatch', message: `This relay serves network "${network}", not "${hello.network}".` }
  }
  // Checkpoints come from the client's own log: one past its head is no point in that log.
  if (hello.checkpoints.some((cp) => cp.seq > hello.head)) {
    return { ok: false, code: 'claim_absurd', message: `A checkpoint past the head the hello claims (${hello.head}).` }
  }
  for (const cp of hello.checkpoints) {
    if (cp.seq > log.head) continue
    const entry = await log.get(cp.seq)
    if (entry?.id === cp.id) return { ok: true, from: cp.seq }
  }
  return { ok: true, from: 0 }
}
