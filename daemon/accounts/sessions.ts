/**
 * Log-in sessions of this machine. A log-in issues two secrets: a bearer token, shown once in
 * the answer (for scripts), and a cookie secret, only ever sent in Set-Cookie (for the page).
 * They are different because a browser sends the cookie of 127.0.0.1 to every port of
 * 127.0.0.1: whatever listens on another local port gets it, and must not be able to use it
 * as a bearer token. Each secret has its own record, keyed by the kind and the SHA-256 of the
 * secret, so a bearer lookup finds only bearer tokens and a cookie lookup only cookie secrets,
 * and a copied database lets nobody log in.
 */
import { createHash, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { del, put, readHere, type LocalSession, type Store } from '../store/index.js'
import type { AccountKeys } from '../../shared/index.js'
import type { AccountSecrets } from './keys.js'
import { sealForSession } from './session-keys.js'

export type SecretKind = LocalSession['kind']

/**
 * What the session records hold, without the bookkeeping of which record is which. `sealedKeys`
 * opens only with the secret the record was found by (session-keys.ts).
 */
export type SessionInfo = Pick<LocalSession, 'username' | 'csrfToken' | 'createdAt' | 'sealedKeys' | 'publicKeys'>

export interface IssuedSession extends SessionInfo {
  /** For `Authorization: Bearer`; returned to the client in JSON. */
  token: string
  /** For the HttpOnly cookie only; never in a response body. */
  cookie: string
}

function secretKey(kind: SecretKind, secret: string): string {
  return `${kind}:${createHash('sha256').update(secret).digest('base64url')}`
}

export class Sessions extends EventEmitter<{ changed: [] }> {
  constructor(private readonly store: Store) {
    super()
  }

  /** A new session; `secrets`, the account's private keys, are kept sealed with each of its secrets. */
  async issue(username: string, secrets: AccountSecrets | null = null, keys: AccountKeys | null = null): Promise<IssuedSession> {
    const token = randomBytes(32).toString('base64url')
    const cookie = randomBytes(32).toString('base64url')
    const info: SessionInfo = { username, csrfToken: randomBytes(24).toString('base64url'), createdAt: Date.now() }
    const bearerKey = secretKey('bearer', token)
    const cookieKey = secretKey('cookie', cookie)
    const sealed = (secret: string) => (secrets && keys ? { sealedKeys: sealForSession(secrets, secret), publicKeys: keys } : {})
    await this.store.write([
      put(this.store.sessions, bearerKey, { ...info, ...sealed(token), kind: 'bearer', twin: cookieKey } satisfies LocalSession),
      put(this.store.sessions, cookieKey, { ...info, ...sealed(cookie), kind: 'cookie', twin: bearerKey } satisfies LocalSession),
    ])
    this.emit('changed')
    return { ...info, ...(secrets && keys ? { publicKeys: keys } : {}), token, cookie }
  }

  /** The session a secret of this kind belongs to; a secret of the other kind finds nothing. */
  async lookup(kind: SecretKind, secret: string): Promise<SessionInfo | undefined> {
    if (secret.length < 20 || secret.length > 100) return undefined
    // Every request asks: read on this thread, not through the thread pool (store/pages.ts, readHere).
    const s = await readHere(this.store.sessions, secretKey(kind, secret))
    // The key already says the kind; checking the record too costs nothing.
    if (s?.kind !== kind) return undefined
    const keys = s.sealedKeys && s.publicKeys ? { sealedKeys: s.sealedKeys, publicKeys: s.publicKeys } : {}
    return { username: s.username, csrfToken: s.csrfToken, createdAt: s.createdAt, ...keys }
  }

  /** Ends the session by either of its secrets: both stop working. */
  async revoke(kind: SecretKind, secret: string): Promise<void> {
    const key = secretKey(kind, secret)
    const s = await this.store.sessions.get(key)
    const ops = [del(this.store.sessions, key)]
    if (s?.twin) ops.push(del(this.store.sessions, s.twin))
    await this.store.write(ops)
    this.emit('changed')
  }

  /** Who logged in last on this machine and has not logged out: the person at its desktop. */
  async latestUser(): Promise<string | null> {
    let latest: LocalSession | null = null
    // Bearer records only: each session once, and none of the old single-secret records.
    for await (const s of this.store.sessions.values()) {
      if (s.kind === 'bearer' && (!latest || s.createdAt > latest.createdAt)) latest = s
    }
    return latest?.username ?? null
  }
}
