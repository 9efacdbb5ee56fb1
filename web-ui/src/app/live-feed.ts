/**
 * The live feed: one WebSocket to `/api/v1/events`, authenticated by the session cookie and
 * the CSRF token (the cookie alone proves nothing; see session.ts). A browser cannot set
 * headers on a WebSocket, so the token goes as a subprotocol: the page offers `sochat` and
 * `sochat.csrf.<token>`, the daemon checks the second and answers with the first, and closes
 * a socket without a valid one with 4401. Chosen over a first frame because the daemon
 * decides at the upgrade, before the socket counts its person online.
 * It reconnects by itself with growing, jittered delays, because a daemon restart or a
 * laptop waking from sleep must not leave a page silently stale.
 */
import type { PageAttention, PageAway, PageTyping, UiEvent } from '../../../shared/index.js'
import { parseUiEvent } from './ui-event-model.js'

export type FeedState = 'connecting' | 'live' | 'down'

export interface FeedHandlers {
  onEvent(event: UiEvent): void
  /** Every (re)connection: the page refetches what it may have missed while down. */
  onLive(): void
  onState(state: FeedState): void
}

const FIRST_DELAY_MS = 500
const MAX_DELAY_MS = 15_000

export class LiveFeed {
  private socket: WebSocket | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private attempt = 0
  private stopped = true
  private watching = false
  private away = false
  private csrf = ''

  constructor(
    private readonly handlers: FeedHandlers,
    private readonly url = feedUrl(),
  ) {}

  /** Connects, proving the session's CSRF token on this and every reconnection. */
  start(csrfToken: string): void {
    this.csrf = csrfToken
    this.stopped = false
    this.connect()
  }

  /** Tells the daemon whether the page is being looked at, now and after every reconnect. */
  setWatching(watching: boolean): void {
    this.watching = watching
    this.sendAttention()
  }

  /** Away by hand, or back to automatic; said again after every reconnect. */
  setAway(on: boolean): void {
    this.away = on
    this.sendAway()
  }

  private sendAway(): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'away', on: this.away } satisfies PageAway))
  }

  /** Tells the daemon this person started or stopped typing in a room; dropped while the socket is down. */
  sendTyping(room: string, on: boolean): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'typing', room, on } satisfies PageTyping))
  }

  private sendAttention(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return
    this.socket.send(JSON.stringify({ type: 'attention', watching: this.watching } satisfies PageAttention))
  }

  stop(): void {
    this.stopped = true
    this.away = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const socket = this.socket
    this.socket = null
    socket?.close(1000, 'logged out')
  }

  private connect(): void {
    this.handlers.onState('connecting')
    const socket = new WebSocket(this.url, feedProtocols(this.csrf))
    this.socket = socket
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return
      this.attempt = 0
      this.sendAttention()
      if (this.away) this.sendAway()
      this.handlers.onState('live')
      this.handlers.onLive()
    })
    socket.addEventListener('message', (ev) => {
      if (this.socket !== socket || typeof ev.data !== 'string') return
      const event = parseUiEvent(ev.data)
      if (event) this.handlers.onEvent(event)
    })
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return
      this.socket = null
      if (!this.stopped) this.retry()
    })
  }

  private retry(): void {
    this.handlers.onState('down')
    const delay = backoffDelay(this.attempt++)
    this.timer = setTimeout(() => {
      this.timer = null
      if (!this.stopped) this.connect()
    }, delay)
  }
}

/** The page's subprotocol, then the CSRF proof (daemon/http/auth.ts). */
export function feedProtocols(csrfToken: string): string[] {
  return ['sochat', `sochat.csrf.${csrfToken}`]
}

export function feedUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/events`
}

/** Doubling from half a second to 15 s, with ±25% jitter so many tabs don't retry in step. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 10))
  return Math.round(base * (0.75 + random() * 0.5))
}
