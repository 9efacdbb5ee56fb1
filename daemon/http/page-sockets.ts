/**
 * Open pages (WebSockets on /api/v1/events) by user: where live events go, who is online on
 * this machine and who of them is away, and whether someone is looking at a page right now
 * (then notifications for that user would only repeat what is on screen). A user with two
 * tabs counts once.
 */
import { EventEmitter } from 'node:events'
import type WebSocket from 'ws'
import type { UiEvent } from '../../shared/index.js'
import type { Authenticated } from './auth.js'

/** No page of a person looked at (visible and focused) for this long: away. */
export const AWAY_AFTER_MS = 5 * 60_000
const AWAY_CHECK_MS = 15_000

export class PageSockets extends EventEmitter<{ presence: []; watching: [username: string] }> {
  readonly #byUser = new Map<string, Set<WebSocket>>()
  /** Sockets whose page says it is visible and focused. */
  readonly #watching = new WeakSet<WebSocket>()
  /** When each user last had a page looked at here (or opened one). */
  readonly #seenAt = new Map<string, number>()
  /** Users who set themselves away on this machine. */
  readonly #awayByHand = new Set<string>()
  /**
   * The session each socket was opened with: the live feed opens sealed messages with it for
   * that person (message-opener.ts). Gone with the socket, so with the log-out that closes it.
   */
  readonly #sessions = new WeakMap<WebSocket, Authenticated>()
  #lastAway = ''
  readonly #timer: NodeJS.Timeout

  constructor(private readonly awayAfterMs = AWAY_AFTER_MS) {
    super()
    // Going away is the absence of an event: look now and then.
    this.#timer = setInterval(() => this.checkAway(), Math.min(AWAY_CHECK_MS, awayAfterMs))
    this.#timer.unref()
  }

  add(username: string, ws: WebSocket, who?: Authenticated): void {
    if (who) this.#sessions.set(ws, who)
    let set = this.#byUser.get(username)
    if (!set) {
      set = new Set()
      this.#byUser.set(username, set)
    }
    set.add(ws)
    this.#seenAt.set(username, Date.now())
    if (set.size === 1) this.presenceChanged()
    ws.on('close', () => {
      set.delete(ws)
      if (set.size === 0) {
        this.#byUser.delete(username)
        this.#awayByHand.delete(username)
        this.#seenAt.delete(username)
        this.presenceChanged()
      }
    })
  }

  /** Users of this machine who are away: set by hand, or no page of theirs looked at lately. */
  away(): string[] {
    const now = Date.now()
    return this.users().filter(
      (u) => this.#awayByHand.has(u) || (!this.isWatching(u) && now - (this.#seenAt.get(u) ?? 0) >= this.awayAfterMs),
    )
  }

  setAwayByHand(username: string, on: boolean): void {
    if (on) this.#awayByHand.add(username)
    else this.#awayByHand.delete(username)
    this.checkAway()
  }

  private checkAway(): void {
    if (this.away().join(',') !== this.#lastAway) this.presenceChanged()
  }

  /** Who is here, or who of them is away, changed: one announcement, with the away set noted. */
  private presenceChanged(): void {
    this.#lastAway = this.away().join(',')
    this.emit('presence')
  }

  setWatching(username: string, ws: WebSocket, watching: boolean): void {
    // Looking at a page, and ceasing to, both count as being seen now.
    this.#seenAt.set(username, Date.now())
    if (watching) {
      this.#watching.add(ws)
      this.emit('watching', username)
    } else {
      this.#watching.delete(ws)
    }
    this.checkAway()
  }

  isWatching(username: string): boolean {
    const lower = username.toLowerCase()
    for (const [user, set] of this.#byUser) {
      if (user.toLowerCase() !== lower) continue
      for (const ws of set) if (this.#watching.has(ws) && ws.readyState === ws.OPEN) return true
    }
    return false
  }

  /** A session of an open page of `username`, to open sealed messages for them. */
  sessionOf(username: string): Authenticated | undefined {
    for (const ws of this.#byUser.get(username) ?? []) {
      const who = this.#sessions.get(ws)
      if (who && ws.readyState === ws.OPEN) return who
    }
    return undefined
  }

  users(): string[] {
    return [...this.#byUser.keys()].sort()
  }

  /** To every open page, or every page but those of `except`. */
  broadcast(event: UiEvent, except?: string): void {
    const json = JSON.stringify(event)
    for (const [user, set] of this.#byUser) {
      if (user === except) continue
      for (const ws of set) if (ws.readyState === ws.OPEN) ws.send(json)
    }
  }

  broadcastTo(username: string, event: UiEvent): void {
    const json = JSON.stringify(event)
    for (const ws of this.#byUser.get(username) ?? []) if (ws.readyState === ws.OPEN) ws.send(json)
  }

  /** Ends every page socket of one user (log-out) or of everyone (shutdown, which also stops the away check). */
  closeAll(username?: string): void {
    if (!username) clearInterval(this.#timer)
    for (const [user, set] of this.#byUser) {
      if (username && user !== username) continue
      for (const ws of set) ws.close(1001, 'logged out')
    }
  }
}
