/**
 * The live feed: one WebSocket to `/api/v1/events`, authenticated by the session cookie.
 * It reconnects by itself with growing, jittered delays, because a daemon restart or a
 * laptop waking from sleep must not leave a page silently stale.
 */
import type { Message, PageAttention, PageAway, PageTyping, Status, UiEvent } from '../../../shared/index.js'

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

  constructor(private readonly handlers: FeedHandlers, private readonly url = feedUrl()) {}

  start(): void {
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
    const socket = new WebSocket(this.url)
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

export function feedUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/events`
}

/** Doubling from half a second to 15 s, with ±25% jitter so many tabs don't retry in step. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 10))
  return Math.round(base * (0.75 + random() * 0.5))
}

/** Accepts only frames shaped like shared's UiEvent; anything else is dropped, never thrown. */
export function parseUiEvent(raw: string): UiEvent | null {
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    return null
  }
  if (!isRecord(data)) return null
  if (data.type === 'message' && isMessage(data.message)) return { type: 'message', message: data.message }
  if (data.type === 'status' && isStatus(data.status)) return { type: 'status', status: data.status }
  if (data.type === 'history') return { type: 'history' }
  if (data.type === 'rooms') return { type: 'rooms' }
  if (data.type === 'avatar' && isNonEmpty(data.username)) return { type: 'avatar', username: data.username }
  if (data.type === 'updated' && isMessage(data.message)) return { type: 'updated', message: data.message }
  if (data.type === 'read' && typeof data.room === 'string' && isCount(data.seq)) return { type: 'read', room: data.room, seq: data.seq }
  if (data.type === 'typing' && typeof data.room === 'string' && isNonEmpty(data.username) && typeof data.on === 'boolean') {
    return { type: 'typing', room: data.room, username: data.username, on: data.on }
  }
  if (data.type === 'failed' && isNonEmpty(data.id) && typeof data.code === 'string') {
    // The reason is for people; a missing one falls back to the code's own sentence later.
    return { type: 'failed', id: data.id, code: data.code, message: typeof data.message === 'string' ? data.message : '' }
  }
  return null
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export function isMessage(v: unknown): v is Message {
  return isRecord(v) && typeof v.id === 'string' && typeof v.seq === 'number' && typeof v.room === 'string' &&
    typeof v.author === 'string' && typeof v.text === 'string' && typeof v.ts === 'number' &&
    (v.reactions === undefined || (Array.isArray(v.reactions) && v.reactions.every(isReaction)))
}

function isReaction(v: unknown): boolean {
  return isRecord(v) && typeof v.emoji === 'string' && Array.isArray(v.users) && v.users.every((u) => typeof u === 'string')
}

/** A seq or a count: a whole number, not negative. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function isNonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0
}

function isStatus(v: unknown): v is Status {
  return isRecord(v) && typeof v.role === 'string' && Array.isArray(v.online)
}
