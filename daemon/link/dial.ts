import type { Logger } from 'pino'
import WebSocket from 'ws'
import { MAX_FRAME_BYTES } from '../../shared/index.js'
import { PeerConnection } from './connection.js'

/** Opens a link to the relay at host:port; rejects within `timeoutMs` if it does not answer. */
export function dial(host: string, port: number, log: Logger, timeoutMs = 3000): Promise<PeerConnection> {
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}/peer/v1/link`
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: timeoutMs })
    ws.once('open', () => {
      ws.off('error', reject)
      resolve(new PeerConnection(ws, `${host}:${port}`, log.child({ link: `${host}:${port}` })))
    })
    ws.once('error', reject)
  })
}
