/**
 * The tray's line to the local daemon. Each attempt reads the daemon's runtime file (its page
 * address can change between runs) and the agent secret, so starting the tray before the
 * daemon, or restarting the daemon, needs nothing from the person.
 */
import { EventEmitter } from 'node:events'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import WebSocket from 'ws'
import { AGENT_AUTH_SCHEME, AGENT_SECRET_FILE, AgentEvent, type DesktopState } from '../shared/index.js'

const RUNTIME_FILE = 'sochatd.json'
const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 5_000

interface Endpoint {
  ui: string
  secret: string
}

export class AgentLink extends EventEmitter<{ state: [DesktopState]; down: [reason: string] }> {
  #socket: WebSocket | null = null
  #timer: NodeJS.Timeout | null = null
  #attempt = 0
  #stopped = false
  #endpoint: Endpoint | null = null

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    super()
  }

  start(): void {
    void this.connect()
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#socket?.close(1000, 'tray quits')
  }

  /** Turns Do not disturb on or off; the new state arrives on the feed. */
  async setDnd(on: boolean): Promise<void> {
    const ep = this.#endpoint ?? (await this.endpoint())
    const res = await fetch(`${ep.ui}/api/v1/agent/dnd`, {
      method: 'PUT',
      headers: { authorization: `${AGENT_AUTH_SCHEME} ${ep.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ on }),
      signal: AbortSignal.timeout(5000),
    })
    if (!res.ok) throw new Error(`The daemon refused Do not disturb (${res.status}): ${(await res.text()).slice(0, 200)}`)
  }

  private async endpoint(): Promise<Endpoint> {
    const runtime = JSON.parse(await readFile(join(this.dataDir, RUNTIME_FILE), 'utf8')) as { ui?: unknown }
    if (typeof runtime.ui !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(runtime.ui)) {
      throw new Error(`${RUNTIME_FILE} does not name a local page address`)
    }
    const secret = (await readFile(join(this.dataDir, AGENT_SECRET_FILE), 'utf8')).trim()
    return { ui: runtime.ui, secret }
  }

  private async connect(): Promise<void> {
    if (this.#stopped) return
    let ep: Endpoint
    try {
      ep = await this.endpoint()
    } catch (err) {
      return this.retry(`no daemon found in ${this.dataDir} (${(err as Error).message})`)
    }
    if (this.#stopped) return
    this.#endpoint = ep
    const socket = new WebSocket(`${ep.ui.replace(/^http/, 'ws')}/api/v1/agent/events`, {
      headers: { authorization: `${AGENT_AUTH_SCHEME} ${ep.secret}` },
      handshakeTimeout: 5000,
      maxPayload: 64 * 1024,
    })
    this.#socket = socket
    socket.on('message', (raw) => this.onFrame(raw.toString()))
    socket.on('error', (err) => this.log.debug({ err }, 'agent link error'))
    socket.on('close', (code, reason) => {
      if (this.#socket === socket) this.#socket = null
      this.retry(`daemon link closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)
    })
  }

  private onFrame(raw: string): void {
    let event: AgentEvent
    try {
      event = AgentEvent.parse(JSON.parse(raw))
    } catch (err) {
      this.log.warn({ err }, 'the daemon sent a state the tray does not understand; is the tray older than the daemon?')
      return
    }
    this.#attempt = 0
    this.emit('state', event.state)
  }

  private retry(reason: string): void {
    if (this.#stopped) return
    // Log the first failure of a series; the rest would fill the log while the daemon is off.
    if (this.#attempt === 0) this.log.info({ reason }, 'waiting for the SO-CHAT daemon')
    this.emit('down', reason)
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(this.#attempt++, 5))
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.connect()
    }, delay)
  }
}
