/**
 * Open pages (WebSockets on /api/v1/events) by user: where live events go, who is online on
 * this machine, and whether someone is looking at a page right now (then notifications for
 * that user would only repeat what is on screen). A user with two tabs counts once.
 */
import { EventEmitter } from 'node:events'
import type WebSocket from 'ws'
import type { UiEvent } from '../../shared/index.js'

export class PageSockets extends EventEmitter<{ presence: []; watching: [username: string] }> {
  readonly #byUser = new Map<string, Set<WebSocket>>()
  /** Sockets whose page says it is visible and focused. */
  readonly #watching = new WeakSet<WebSocket>()

  add(username: string, ws: WebSocket): void {
    let set = this.#byUser.get(username)
    if (!set) {
      set = new Set()
      this.#byUser.set(username, set)
    }
    set.add(ws)
    if (set.size === 1) this.emit('presence')
    ws.on('close', () => {
      set.delete(ws)
      if (set.size === 0) {
        this.#byUser.delete(username)
        this.emit('presence')
      }
    })
  }

  setWatching(username: string, ws: WebSocket, watching: boolean): void {
    if (watching) {
      this.#watching.add(ws)
      this.emit('watching', username)
    } else {
      this.#watching.delete(ws)
    }
  }

  isWatching(username: string): boolean {
    const lower = username.toLowerCase()
    for (const [user, set] of this.#byUser) {
      if (user.toLowerCase() !== lower) continue
      for (const ws of set) if (this.#watching.has(ws) && ws.readyState === ws.OPEN) return true
    }
    return false
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

  /** Ends every page socket of one user (log-out) or of everyone (shutdown). */
  closeAll(username?: string): void {
    for (const [user, set] of this.#byUser) {
      if (username && user !== username) continue
      for (const ws of set) ws.close(1001, 'logged out')
    }
  }
}
