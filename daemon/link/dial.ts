/**
 * Opens a link to a relay: TLS to its peer port, pinned to the node id we expect there (tls.ts),
 * our proof of the network key in the upgrade request, and the relay's proof checked in its
 * 101 answer before the link counts as open. A relay that cannot prove the key is no relay of
 * ours, whatever its advert said: the socket is closed before any frame is sent.
 */
import type { Logger } from 'pino'
import WebSocket from 'ws'
import { MAX_FRAME_BYTES } from '../../shared/index.js'
import { PeerConnection } from './connection.js'
import { LinkRefusedError, type PeerTls } from './tls.js'

/** Opens a link to the relay at host:port; rejects within `timeoutMs` if it does not answer or is not who we expect. */
export async function dial(
  tls: PeerTls,
  host: string,
  port: number,
  expect: string,
  log: Logger,
  timeoutMs = 3000,
): Promise<PeerConnection> {
  const { socket, peer } = await tls.connect(host, port, timeoutMs, expect)
  const url = `wss://${host.includes(':') ? `[${host}]` : host}:${port}/peer/v1/link`
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: timeoutMs,
      createConnection: () => socket,
      headers: tls.proofHeaders(socket),
    })
    let proved = false
    ws.once('upgrade', (res) => {
      proved = tls.serverProved(socket, res.headers)
      if (proved) return
      reject(new LinkRefusedError(`${host}:${port} (machine ${peer.fingerprint}) did not prove the network key`))
      ws.terminate()
    })
    ws.once('open', () => {
      ws.off('error', reject)
      const remote = `${host}:${port}`
      resolve(new PeerConnection(ws, remote, log.child({ link: remote, peer: peer.fingerprint }), host, peer))
    })
    ws.once('error', reject)
  })
}
