/**
 * Removing a member: it is cut off at once and cannot come back with what it knew, which is
 * the network key. So removal replaces the key:
 *
 * 1. The remover makes a new key and hands it to every other member it reaches now (a fresh
 *    probe), each copy sealed to that member's own machine key (identity/seal.ts), in
 *    `POST /peer/v1/rekey`, proved with the key still current (only members may send it).
 * 2. A member that gets it opens it, keeps it, notes the removed machine and closes any link
 *    with it (the daemon's `rekeyed` listener).
 * 3. Then the remover takes the key itself and does the same.
 *
 * A member that was off or out of reach at that moment comes back with the old key: its
 * proof fails everywhere, it notices (newcomer.ts: "stale") and asks to join again, and a
 * person lets it in. The removed machine asking again is shown as removed and gets nothing.
 * Two members removing each other at once is not resolved here: entries are not signed yet,
 * and members are trusted (docs/ARCHITECTURE.md, Trust).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as z from 'zod'
import { formatFingerprint, NetworkKey, openNetworkKey, sealNetworkKey, type PeerKey } from '../identity/index.js'
import { peerRequest, readText, type PeerStanding, type PeerTls } from '../link/index.js'
import type { Admission } from './admission.js'
import { readJson, replyJson } from './json-body.js'
import type { RemovedMachine } from './removed.js'

export const RekeyRequest = z.object({
  sealedKey: z.string().min(1).max(200),
  removed: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().max(63) }),
  by: z.string().max(64),
})

export interface ReachableMember {
  host: string
  port: number
  peer: PeerKey
}

/** Removes `target`; answers which members got the new key and which could not be reached. */
export async function removeMember(
  admission: Admission,
  tls: PeerTls,
  target: Omit<RemovedMachine, 'by' | 'at'>,
  by: string,
  members: ReachableMember[],
): Promise<{ handed: string[]; missed: string[] }> /* missed: fingerprint and why */ {
  const next = NetworkKey.generate()
  const handed: string[] = []
  const missed: string[] = []
  await Promise.all(
    members
      .filter((m) => m.peer.sha256 !== target.sha256)
      .map(async (member) => {
        const body = JSON.stringify({
          sealedKey: await sealNetworkKey(next, member.peer.publicKey),
          removed: { sha256: target.sha256, name: target.name },
          by,
        })
        try {
          const { res } = await peerRequest(
            tls,
            { host: member.host, port: member.port, expect: member.peer.nodeId },
            'POST',
            '/peer/v1/rekey',
            {
              timeoutMs: 3000,
              headers: { 'content-type': 'application/json' },
              body,
            },
          )
          const answer = await readText(res)
          if (res.statusCode === 200) handed.push(member.peer.fingerprint)
          else missed.push(`${member.peer.fingerprint}: ${res.statusCode} ${answer.slice(0, 200)}`)
        } catch (err) {
          missed.push(`${member.peer.fingerprint}: ${(err as Error).message}`)
        }
      }),
  )
  await admission.rekey(next, { ...target, by, at: Date.now() })
  return { handed, missed }
}

/** `POST /peer/v1/rekey` from a member (link/server.ts checks the proof first). */
export async function answerRekey(admission: Admission, req: IncomingMessage, res: ServerResponse, standing: PeerStanding): Promise<void> {
  const reply = (status: number, body: object) => replyJson(res, status, body)
  const parsed = RekeyRequest.safeParse(await readJson(req))
  if (!parsed.success) return reply(400, { error: { code: 'bad_request', message: 'A rekey is {sealedKey, removed, by}.' } })
  const { removed, sealedKey, by } = parsed.data
  if (removed.sha256 === standing.peer.sha256 || removed.sha256 === admission.identity.sha256)
    return reply(403, { error: { code: 'machine_state', message: 'A machine cannot remove itself or the one it asks.' } })
  let key: NetworkKey
  try {
    key = await openNetworkKey(sealedKey, admission.identity.privateKey)
  } catch {
    return reply(400, { error: { code: 'network_key_invalid', message: 'The new key was not sealed to this machine.' } })
  }
  const machine = {
    sha256: removed.sha256,
    nodeId: removed.sha256.slice(0, 16),
    fingerprint: formatFingerprint(removed.sha256),
    name: removed.name,
  }
  await admission.rekey(key, { ...machine, by: `${by} on ${standing.peer.fingerprint}`, at: Date.now() })
  reply(200, { ok: true })
}
