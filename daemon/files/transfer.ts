/**
 * Blobs between machines, over TLS on the peer port (link/request.ts: pinned to the machine
 * named, members only): `GET /peer/v1/blobs/<sha256>`
 * streams one this machine has, `PUT` stores one sent to it (verified against its hash,
 * within the relay's limit). A machine that lacks a blob asks the relay first, then the
 * machine the message came from, then anyone; two requests for one blob share one fetch. A
 * page may read a blob while it is still arriving (`stream`, follow.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import type { Logger } from 'pino'
import { ERROR_CODES, Sha256, type ErrorCode } from '../../shared/index.js'
import { peerKeyOf } from '../identity/index.js'
import { peerRequest, remoteIp, type PeerTls } from '../link/index.js'
import { SochatError, UnavailableError } from '../errors/index.js'
import type { BlobStore } from './blobs.js'
import { BlobFollower, FetchProgress } from './follow.js'
import { sendFromDisk } from './send.js'

export interface BlobSource {
  name: string
  host: string
  port: number
  /** The machine expected at that address (pinned); from the relay's roster. */
  nodeId?: string
}

/** Who is pushing a blob: the remote address, and the machine its TLS certificate names. */
export interface PushFrom {
  address: string
  /** The node id of the pushing machine's key (daemon/identity), null without a usable certificate. */
  machine: string | null
}

export type PushVerdict = { ok: true; maxBytes: number } | { ok: false; code: ErrorCode; message: string }

/**
 * Who may store a blob here by PUT (the relay decides: daemon/relay/offers.ts, limits.ts).
 * Without it anyone who can reach the peer port could fill the disk with files no message names.
 */
export interface BlobGate {
  /**
   * Whether a PUT of `sha256`, `bytes` long (0: not said), may be stored now, and then at most
   * how many bytes may be read for it.
   */
  admit(from: PushFrom, sha256: string, bytes: number): PushVerdict
  /** A blob of `bytes` was stored for `from`. */
  stored(from: PushFrom, sha256: string, bytes: number): void
}

/** Fetches running at once: a catch-up over a thousand shared files must not open a thousand connections. */
const CONCURRENT_FETCHES = 4

export class BlobTransfer {
  readonly #inflight = new Map<string, { done: Promise<void>; progress: FetchProgress }>()
  #running = 0
  readonly #waiting: (() => void)[] = []

  constructor(
    private readonly blobs: BlobStore,
    private readonly tls: PeerTls,
    private readonly sources: (origin?: string) => BlobSource[],
    private readonly maxBytes: () => number,
    private readonly log: Logger,
  ) {}

  /** Resolves once this machine has the blob; fails with file_unavailable when nobody reachable has it. */
  ensure(sha256: string, origin?: string): Promise<void> {
    return this.#start(sha256, origin).done
  }

  /**
   * The blob's `size` bytes for a page, at once if this machine has it, else as they arrive
   * (follow.ts: the last byte only once it is verified and stored). Joins a fetch already
   * under way. Throws, with nothing sent, when the fetch fails before its first byte.
   */
  async stream(sha256: string, size: number, origin?: string): Promise<Readable> {
    if ((await this.blobs.size(sha256)) !== null) return this.blobs.read(sha256)
    const { progress } = this.#start(sha256, origin)
    await progress.started()
    return new BlobFollower(progress, size)
  }

  #start(sha256: string, origin?: string): { done: Promise<void>; progress: FetchProgress } {
    const running = this.#inflight.get(sha256)
    if (running) return running
    const progress = new FetchProgress(this.blobs.partPath(sha256), this.blobs.path(sha256))
    const done = this.fetch(sha256, progress, origin).then(
      (size) => progress.settle({ ok: true, size }),
      (error: Error) => {
        progress.settle({ ok: false, error })
        throw error
      },
    )
    const started = { done: done.finally(() => this.#inflight.delete(sha256)), progress }
    // Its failure reaches ensure()'s callers, and followers through `progress`; a stream()
    // alone does not await `done`, so that is not an unhandled rejection.
    started.done.catch(() => undefined)
    this.#inflight.set(sha256, started)
    return started
  }

  /** Fetches the blob unless it is here; resolves to its size. */
  private async fetch(sha256: string, progress: FetchProgress, origin?: string): Promise<number> {
    const have = await this.blobs.size(sha256)
    if (have !== null) return have
    if (this.#running >= CONCURRENT_FETCHES) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    this.#running++
    try {
      return await this.fetchFrom(sha256, progress, origin)
    } finally {
      this.#running--
      this.#waiting.shift()?.()
    }
  }

  private async fetchFrom(sha256: string, progress: FetchProgress, origin?: string): Promise<number> {
    const tried: string[] = []
    const partial = this.blobs.partial(sha256, this.maxBytes(), progress)
    // Each source is asked once, and twice in all when a transfer drops: what arrived is kept,
    // and the next request asks only for the rest, from the same machine or another.
    for (const source of [...this.sources(origin), ...this.sources(origin)]) {
      try {
        const have = await partial.have()
        const res = await call(this.tls, source, 'GET', sha256, undefined, have > 0 ? { range: `bytes=${have}-` } : {})
        if (res.statusCode !== 200 && res.statusCode !== 206) {
          res.resume()
          tried.push(`${source.name}: ${res.statusCode}`)
          continue
        }
        const stored = await partial.take(res, res.statusCode === 200)
        this.log.info({ sha256, from: source.name, resumedAt: have }, 'fetched a file')
        return stored.size
      } catch (err) {
        tried.push(`${source.name}: ${(err as Error).message}`)
      }
    }
    this.log.warn({ sha256, tried }, 'no reachable machine has this file')
    throw new UnavailableError(
      'file_unavailable',
      "No machine that has this file is reachable right now. Try again when the sender's machine is on.",
    )
  }

  /** Sends a blob to `to` unless it has it already. */
  async push(sha256: string, to: BlobSource): Promise<void> {
    const head = await call(this.tls, to, 'HEAD', sha256)
    head.resume()
    if (head.statusCode === 200) return
    const size = await this.blobs.size(sha256)
    if (size === null) throw new UnavailableError('file_unavailable', 'This machine no longer has the file to send.')
    // Its length, said: the relay refuses at once a push bigger than was offered.
    const res = await call(this.tls, to, 'PUT', sha256, this.blobs.read(sha256), { 'content-length': String(size) })
    const body = await text(res)
    if (res.statusCode !== 201)
      throw new UnavailableError('file_unavailable', `${to.name} did not take the file (${res.statusCode}: ${body.slice(0, 200)}).`)
  }

  /** The peer port's side: serve, and take, blobs. */
  async serve(req: IncomingMessage, res: ServerResponse, sha256: string, gate?: BlobGate): Promise<void> {
    if (!Sha256.safeParse(sha256).success) return reply(res, 400, 'bad_request', 'Not a SHA-256.')
    if (req.method === 'PUT') {
      const from: PushFrom = { address: remoteIp(req.socket), machine: peerKeyOf(req.socket as TLSSocket)?.nodeId ?? null }
      const declared = Number(req.headers['content-length'] ?? 0)
      const verdict: PushVerdict = gate?.admit(from, sha256, Number.isFinite(declared) ? declared : 0) ?? {
        ok: true,
        maxBytes: this.maxBytes(),
      }
      if (!verdict.ok) {
        // The body is not read: close the connection rather than drain what we refuse.
        res.setHeader('connection', 'close')
        return reply(res, ERROR_CODES[verdict.code], verdict.code, verdict.message)
      }
      try {
        await this.blobs.ensureRoom(declared)
        // A body longer than it said (or than was offered) is cut off at what was allowed.
        const stored = await this.blobs.receive(req, { expected: sha256, maxBytes: Math.min(verdict.maxBytes, this.maxBytes()) })
        gate?.stored(from, sha256, stored.size)
        return reply(res, 201, 'ok', 'Stored.')
      } catch (err) {
        const code = err instanceof SochatError ? err.code : 'internal'
        return reply(res, err instanceof SochatError ? err.httpStatus : 500, code, (err as Error).message)
      }
    }
    const size = await this.blobs.size(sha256)
    if (size === null) return reply(res, 404, 'not_found', 'This machine does not have that file.')
    // `Range: bytes=N-`: the rest of a transfer that dropped at N.
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0)
    if (start > 0 && start >= size) return reply(res, 416, 'bad_request', `This file has ${size} bytes.`)
    const headers = { 'content-type': 'application/octet-stream', 'content-length': size - start, 'accept-ranges': 'bytes' }
    res.writeHead(start > 0 ? 206 : 200, start > 0 ? { ...headers, 'content-range': `bytes ${start}-${size - 1}/${size}` } : headers)
    if (req.method === 'HEAD') return void res.end()
    // Two buffers used in turn rather than a stream of fresh ones (send.ts); a peer that goes
    // away mid-file closes the file here too.
    try {
      await sendFromDisk(this.blobs.path(sha256), res, { start, end: size - 1 })
      res.end()
    } catch (err) {
      this.log.info({ err, sha256, start }, 'a peer stopped fetching a file before its end')
      res.destroy()
    }
  }
}

function reply(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(status < 300 ? { ok: true } : { error: { code, message } }))
}

/** A request to a member's peer port; its answer counts only if it proved the network key. */
async function call(
  tls: PeerTls,
  to: BlobSource,
  method: string,
  sha256: string,
  body?: NodeJS.ReadableStream,
  headers: Record<string, string> = {},
): Promise<IncomingMessage> {
  // Sources come from the relay's roster: only an IP is dialled (the peer port answers to
  // nothing else, link/guards.ts), and an empty host would otherwise mean localhost.
  if (!isIP(to.host)) throw new Error(`no IP address for it ("${to.host.slice(0, 100)}")`)
  const address = { host: to.host, port: to.port, ...(to.nodeId ? { expect: to.nodeId } : {}) }
  const { res, member } = await peerRequest(tls, address, method, `/peer/v1/blobs/${sha256}`, {
    timeoutMs: 30_000,
    headers,
    ...(body ? { body } : {}),
  })
  if (!member) {
    res.destroy()
    throw new Error('it did not prove the network key')
  }
  return res
}

async function text(res: IncomingMessage): Promise<string> {
  let out = ''
  for await (const chunk of res) out += chunk
  return out
}
