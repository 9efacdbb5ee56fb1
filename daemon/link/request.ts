/**
 * One HTTP request to another daemon's peer port, over a TLS connection of its own
 * (tls.ts): pinned to `expect` when given, carrying our proof of the network key, and
 * answered with whether the other side proved it too. Used for adverts (discovery/probe.ts),
 * asking to join (admission) and files (files/transfer.ts); the link itself is dial.ts.
 */
import { Readable } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { request } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { PeerKey } from '../identity/index.js'
import { LinkRefusedError, type PeerTls } from './tls.js'

export interface PeerAddress {
  host: string
  port: number
  /** The node id we expect there; another machine answering is refused. */
  expect?: string
}

export interface PeerAnswer {
  res: IncomingMessage
  /** The machine that answered, from its certificate. */
  peer: PeerKey
  /** It proved our network key: a member of our network. */
  member: boolean
}

export interface PeerRequestOptions {
  /** For the TLS handshake and then for every pause in the exchange. */
  timeoutMs: number
  headers?: Record<string, string>
  body?: NodeJS.ReadableStream | Buffer | string
  /** Use a kept-alive connection (PeerTls.agent): for small requests repeated every few seconds. */
  reuse?: boolean
}

export async function peerRequest(
  tls: PeerTls,
  to: PeerAddress,
  method: string,
  path: string,
  opts: PeerRequestOptions,
): Promise<PeerAnswer> {
  // A kept-alive connection for small repeated requests (adverts); a connection of its own
  // for anything that carries or fetches a file, pinned before the first byte is sent.
  const own = opts.reuse ? null : await tls.connect(to.host, to.port, opts.timeoutMs, to.expect)
  return new Promise((resolve, reject) => {
    let socket: TLSSocket | null = own?.socket ?? null
    const req = request(
      {
        host: to.host,
        port: to.port,
        method,
        path,
        ...(own ? { createConnection: () => own.socket } : { agent: tls.agent }),
        headers: { ...opts.headers },
        timeout: opts.timeoutMs,
      },
      (res) => {
        const peer = socket && tls.peerOf(socket)
        if (!socket || !peer) return req.destroy(new LinkRefusedError(`${to.host}:${to.port} presented no SO-CHAT machine key`))
        resolve({ res, peer, member: tls.serverProved(socket, res.headers) })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${to.host}:${to.port} stopped answering`)))
    req.on('error', (err) => {
      socket?.destroy()
      // A streamed body (a file being pushed) is closed now, not when the collector finds it.
      if (opts.body instanceof Readable) opts.body.destroy()
      reject(err)
    })
    // Headers go out with the first write: the proof is added once the socket (and so its TLS session) is known.
    req.once('socket', (assigned) => {
      socket = assigned as TLSSocket
      const peer = tls.peerOf(socket)
      if (to.expect && peer?.nodeId !== to.expect)
        return req.destroy(
          new LinkRefusedError(`${to.host}:${to.port} is machine ${peer?.fingerprint ?? 'unknown'}, not the ${to.expect} we asked for`),
        )
      for (const [name, value] of Object.entries(tls.proofHeaders(socket))) req.setHeader(name, value)
      const body = opts.body
      if (body === undefined) req.end()
      else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body)
      else body.pipe(req)
    })
  })
}

/** The whole body as text, at most `limit` bytes (an answer is small; a hostile one is cut off). */
export async function readText(res: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let out = ''
  for await (const chunk of res) {
    out += chunk
    if (out.length > limit) {
      res.destroy()
      throw new Error(`an answer over ${limit} bytes`)
    }
  }
  return out
}
