/**
 * Asks a neighbour for its current advert, over TLS (link/request.ts). The answer counts for
 * the election only when the neighbour proved the network key and the advert names the very
 * machine whose key answered: a member cannot speak for another machine, and a stranger's
 * claims (a huge head, a huge term) are never ranked.
 */
import { Advert } from '../../shared/index.js'
import type { PeerKey } from '../identity/index.js'
import { peerRequest, readText, type PeerTls } from '../link/index.js'

export type ProbeResult =
  | { ok: true; advert: Advert; peer: PeerKey; member: boolean }
  | { ok: false; problem: string; peer?: PeerKey; outdated?: boolean }

export type Probe = (host: string, port: number, timeoutMs: number) => Promise<ProbeResult>

export function probeOver(tls: PeerTls): Probe {
  return async (host, port, timeoutMs) => {
    let answer: Awaited<ReturnType<typeof peerRequest>>
    try {
      answer = await peerRequest(tls, { host, port }, 'GET', '/peer/v1/advert', { timeoutMs, reuse: true })
    } catch (err) {
      return failed(err as NodeJS.ErrnoException)
    }
    const { res, peer, member } = answer
    try {
      if (res.statusCode !== 200) return { ok: false, peer, problem: `answered ${res.statusCode} to a probe` }
      const parsed = Advert.safeParse(JSON.parse(await readText(res)))
      if (!parsed.success) return { ok: false, peer, problem: 'sent an advert that is not valid' }
      if (parsed.data.nodeId !== peer.nodeId)
        return { ok: false, peer, problem: `its advert names node ${parsed.data.nodeId} but its key is ${peer.nodeId}` }
      return { ok: true, advert: parsed.data, peer, member }
    } catch (err) {
      return { ok: false, peer, problem: `its advert could not be read (${(err as Error).message})` }
    }
  }
}

/** Unreachable, refused, timed out or not speaking TLS: all mean "not alive now", said in words for the Network panel. */
function failed(err: NodeJS.ErrnoException): ProbeResult {
  // A daemon from before encrypted links answers our ClientHello in plain HTTP.
  const outdated = err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || err.code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG'
  if (outdated) return { ok: false, outdated, problem: 'runs an older SO-CHAT without encrypted links: update it' }
  return { ok: false, problem: err.code === 'ECONNREFUSED' ? 'refused the connection (SO-CHAT not running?)' : err.message }
}
