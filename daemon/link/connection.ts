import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type WebSocket from 'ws'
import { parseFrame, type ErrorCode, type Frame } from '../../shared/index.js'
import type { PeerKey } from '../identity/index.js'
import { HEARTBEAT_MISSES, HEARTBEAT_MS } from './heartbeat.js'

/**
 * Which end of a link pings. The end that dialled (a client daemon, or a relay joining
 * another) pings every HEARTBEAT_MS; the end that accepted (the relay) only answers — ws
 * sends the pong by itself — and counts the other's pings and frames as heard. Both ends
 * still drop a link after HEARTBEAT_MISSES periods of silence, but a relay with N links
 * writes N pongs a period instead of N pings and N pongs: with 10,000 links connecting at once
 * its own pings were 13 % of its CPU (issue 18, bench/README.md). The period is HEARTBEAT_MS
 * until the relay sets another for its size (heartbeat.ts, `setHeartbeat`).
 */
export type Heartbeat = 'pings' | 'answers'

export interface PeerConnectionEvents {
  /** A valid frame and its size in bytes as received (the relay's budgets count them). */
  frame: [Frame, number]
  close: [code: number, reason: string]
}

/** One open link to another daemon, either direction. */
export class PeerConnection extends EventEmitter<PeerConnectionEvents> {
  /** When the other side was last heard: a pong to our ping, its ping, or any frame. */
  #lastHeard = Date.now()
  #timer: NodeJS.Timeout
  #periodMs = HEARTBEAT_MS
  #silenceMs = HEARTBEAT_MS * HEARTBEAT_MISSES
  #closed = false
  #silent = false

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    private readonly log: Logger,
    /** The other machine's IP (link/remote.ts); what the relay keys its limits and roster by. */
    readonly remoteIp = '',
    /** The other machine's key, from its TLS certificate: who it is, whatever its frames say. */
    readonly peer: PeerKey | null = null,
    private readonly heartbeats: Heartbeat = 'pings',
  ) {
    super()
    ws.on('message', (data, isBinary) => {
      this.#lastHeard = Date.now()
      this.onMessage(data.toString(), isBinary)
    })
    ws.on(heartbeats === 'pings' ? 'pong' : 'ping', () => {
      this.#lastHeard = Date.now()
    })
    ws.on('error', (err) => this.log.warn({ err, remote: remoteAddress }, 'peer link error'))
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()))
    this.#timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS)
    this.#timer.unref()
  }

  /**
   * The link's heartbeat period from now on: the relay's, as it told the other end (welcome,
   * roster). Silence is judged on the longer of the old and the new period until the next
   * change, so a ping already sent at the old pace is never counted as missed.
   */
  setHeartbeat(periodMs: number): void {
    this.#silenceMs = HEARTBEAT_MISSES * Math.max(periodMs, this.#periodMs)
    if (periodMs === this.#periodMs || this.#closed) return
    this.#periodMs = periodMs
    clearInterval(this.#timer)
    this.#timer = setInterval(() => this.heartbeat(), periodMs)
    this.#timer.unref()
  }

  /**
   * Whether the link was dropped here because the other side fell silent (missed heartbeats:
   * a partition, a pulled cable), rather than closed by it (a close frame, or the FIN/RST its
   * kernel sends when the process dies). Only silence is learnt late and at different moments
   * on different machines; a close reaches every linked machine at once (roles/coordinator.ts).
   */
  get silent(): boolean {
    return this.#silent
  }

  /** The heartbeat period in force (HEARTBEAT_MS unless the relay asked for another). */
  get heartbeatMs(): number {
    return this.#periodMs
  }

  get open(): boolean {
    return !this.#closed && this.ws.readyState === this.ws.OPEN
  }

  send(frame: Frame): void {
    this.sendRaw(JSON.stringify(frame))
  }

  /** Sends an already serialized frame (fan-out serializes once for every link). */
  sendRaw(json: string): void {
    if (this.open) this.ws.send(json)
  }

  /** Sends and resolves once the frame was handed to the operating system (or the link closed). */
  sendFlushed(frame: Frame): Promise<void> {
    if (!this.open) return Promise.resolve()
    return new Promise((resolve) => this.ws.send(JSON.stringify(frame), () => resolve()))
  }

  /** Resolves when the socket's send buffer is below `bytes`: catch-up must not outrun the network. */
  async drained(bytes = 4 * 1024 * 1024): Promise<void> {
    while (this.open && this.ws.bufferedAmount > bytes) await new Promise((r) => setTimeout(r, 20))
  }

  /** Tells the other side why, then closes. */
  fail(code: ErrorCode, message: string): void {
    this.log.warn({ remote: this.remoteAddress, code, message }, 'closing peer link')
    this.send({ type: 'error', code, message })
    this.close(1008, code)
  }

  close(code = 1000, reason = ''): void {
    if (this.#closed) return
    this.ws.close(code, reason.slice(0, 120))
    // A peer that never answers the close handshake must not keep the socket.
    setTimeout(() => this.ws.terminate(), 2000).unref()
  }

  terminate(): void {
    this.ws.terminate()
  }

  private onMessage(raw: string, isBinary: boolean): void {
    if (isBinary) return this.fail('frame_invalid', 'Binary frames are not part of the SO-CHAT link protocol.')
    const result = parseFrame(raw)
    if (!result.ok) return this.fail('frame_invalid', result.message)
    this.emit('frame', result.frame, Buffer.byteLength(raw))
  }

  private heartbeat(): void {
    if (Date.now() - this.#lastHeard > this.#silenceMs) {
      this.log.warn({ remote: this.remoteAddress }, 'peer link missed heartbeats; dropping it')
      this.#silent = true
      this.ws.terminate()
      return
    }
    if (this.heartbeats === 'pings' && this.ws.readyState === this.ws.OPEN) this.ws.ping()
  }

  private onClose(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    this.emit('close', code, reason)
  }
}
