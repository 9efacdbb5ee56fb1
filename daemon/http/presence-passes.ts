/**
 * This machine's presence passes (shared/presence.ts): one for each person with a page open
 * here, signed with their keys when their page opens (the page socket keeps the session it was
 * opened with, page-sockets.ts) and made again before it runs out while a page stays open.
 * `presence` frames carry them to the relay, which shows no one online here without one.
 */
import type { Logger } from 'pino'
import { PASS_RENEW_MS, type PresencePass } from '../../shared/index.js'
import { passForSession } from '../accounts/index.js'
import type { PageSockets } from './page-sockets.js'

/** How often open pages' passes are looked at for renewal. */
export const PASS_CHECK_MS = 10 * 60_000

export class PresencePasses {
  readonly #passes = new Map<string, PresencePass>()

  constructor(
    private readonly machine: string,
    private readonly pages: Pick<PageSockets, 'users' | 'sessionOf'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Passes of everyone with a page open here, each made if missing or due; none for a session without keys. */
  current(): PresencePass[] {
    const users = this.pages.users()
    for (const username of this.#passes.keys()) if (!users.includes(username)) this.#passes.delete(username)
    const passes: PresencePass[] = []
    for (const username of users) {
      const pass = this.due(username) ? this.make(username) : this.#passes.get(username)
      if (pass) passes.push(pass)
    }
    return passes
  }

  /** Whether a pass of someone with a page open here is missing or runs out soon: then presence is sent again. */
  anyDue(): boolean {
    return this.pages.users().some((username) => this.due(username) && this.pages.sessionOf(username)?.session.sealedKeys)
  }

  private due(username: string): boolean {
    const pass = this.#passes.get(username)
    return !pass || pass.until - this.now() < PASS_RENEW_MS
  }

  private make(username: string): PresencePass | undefined {
    const who = this.pages.sessionOf(username)
    if (!who) return this.#passes.get(username)
    try {
      const pass = passForSession(who.session, who.token, this.machine, this.now())
      if (pass) this.#passes.set(username, pass)
      else if (who.session.sealedKeys) this.log.warn({ username }, "a page's session did not open its keys; no presence pass")
      return pass ?? undefined
    } catch (err) {
      this.log.error({ err, username }, 'signing a presence pass failed')
      return this.#passes.get(username)
    }
  }
}
