/**
 * Open pages (WebSockets on /api/v1/events) by user: where live events go, and who is online
 * on this machine. A user with two tabs counts once.
 */
import { EventEmitter } from 'node:events'
import type WebSocket from 'ws'
import type { UiEvent } from '../../shared/index.js'

export class PageSockets extends EventEmitter<{ presence: [] }> {
  readonly #byUser = new Map<string, Set<WebSocket>>()

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

  users(): string[] {
    return [...this.#byUser.keys()].sort()
  }

  broadcast(event: UiEvent): void {
    const json = JSON.stringify(event)
    for (const set of this.#byUser.values()) for (const ws of set) if (ws.readyState === ws.OPEN) ws.send(json)
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
