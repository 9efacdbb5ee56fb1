/**
 * Who a client machine may show as online (shared/presence.ts): each person it names in a
 * `presence` frame must come with a pass they signed for exactly that machine (the node id of
 * the link's certificate), not expired. A person whose account has no keys yet (from before
 * account keys) cannot sign one and is taken on the machine's word, as their unsigned entries
 * are (accounts/signatures.ts). Anyone else is left out and logged: a machine cannot show
 * someone online, away or typing who has not opened a page on it.
 */
import type { Logger } from 'pino'
import type { AccountKeys, PresencePass } from '../../shared/index.js'
import { checkPass } from '../accounts/index.js'

export interface PresenceClaim {
  users: string[]
  away: string[]
  passes: PresencePass[]
}

export type AccountLookup = (username: string) => Promise<{ keys?: AccountKeys } | undefined>

export async function admittedPresence(
  claim: PresenceClaim,
  machine: string,
  account: AccountLookup,
  log: Logger,
  now = Date.now(),
): Promise<{ users: string[]; away: string[] }> {
  const passOf = new Map(claim.passes.map((p) => [p.username.toLowerCase(), p]))
  const users: string[] = []
  for (const username of claim.users) {
    const found = await account(username)
    const keys = found?.keys
    if (!found) {
      log.warn({ machine, username }, 'a machine showed online someone with no account; left out')
      continue
    }
    if (!keys) {
      users.push(username)
      continue
    }
    const pass = passOf.get(username.toLowerCase())
    const verdict = pass ? checkPass(pass, keys.sign, machine, now) : ({ ok: false, reason: 'missing' } as const)
    if (verdict.ok && pass?.username === username) users.push(username)
    else
      log.warn(
        { machine, username, reason: verdict.ok ? 'name' : verdict.reason },
        'a machine showed someone online without their pass; left out',
      )
  }
  const shown = new Set(users)
  return { users, away: claim.away.filter((u) => shown.has(u)) }
}

/** Whether `username` is among those a link may speak for (typing). */
export function speaksFor(users: string[], username: string): boolean {
  const lower = username.toLowerCase()
  return users.some((u) => u.toLowerCase() === lower)
}
