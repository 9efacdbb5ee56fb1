/**
 * Log-in sessions of this machine. The token is shown once to its owner; only its SHA-256 is
 * stored, so a copied database does not let anyone log in.
 */
import { createHash, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { del, put, type LocalSession, type Store } from '../store/index.js'

export interface IssuedSession extends LocalSession {
  token: string
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export class Sessions extends EventEmitter<{ changed: [] }> {
  constructor(private readonly store: Store) {
    super()
  }

  async issue(username: string): Promise<IssuedSession> {
    const token = randomBytes(32).toString('base64url')
    const session: LocalSession = { username, csrfToken: randomBytes(24).toString('base64url'), createdAt: Date.now() }
    await this.store.write([put(this.store.sessions, tokenKey(token), session)])
    this.emit('changed')
    return { ...session, token }
  }

  async lookup(token: string): Promise<LocalSession | undefined> {
    if (token.length < 20 || token.length > 100) return undefined
    return this.store.sessions.get(tokenKey(token))
  }

  async revoke(token: string): Promise<void> {
    await this.store.write([del(this.store.sessions, tokenKey(token))])
    this.emit('changed')
  }

  /** Who logged in last on this machine and has not logged out: the person at its desktop. */
  async latestUser(): Promise<string | null> {
    let latest: LocalSession | null = null
    for await (const s of this.store.sessions.values()) if (!latest || s.createdAt > latest.createdAt) latest = s
    return latest?.username ?? null
  }
}
