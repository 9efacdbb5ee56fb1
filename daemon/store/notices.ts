/**
 * Key notices: when an `account.keys` entry gives an account keys other than those it had,
 * every room that person is in gets a line at that entry's place in its timeline, so the
 * people who share a room with them are told, and can compare the new fingerprint with what
 * that person's own screen shows. The relay's rule book refuses other keys for an account that
 * has some (rooms/rules.ts), so this is what a member sees if a relay or a replaced data
 * folder swapped them anyway. An account from before account keys getting its first keys gets
 * a milder line. A password change wraps the same keys again and says nothing.
 *
 * Derived when the entry is applied, in the same transaction (so in the same synced batch as
 * the entry, and taken back with it on truncation); the rooms are those the person is in at
 * that point of the log, general always.
 */
import { GENERAL_ROOM, type AccountKeys, type Entry } from '../../shared/index.js'
import { noticeKey } from './keys.js'
import type { ViewTx } from './tx.js'
import type { Account, KeyNotice } from './types.js'

/** What `keys` are to `before`: new, other, or the same (null: nothing to say). */
export function keyChange(before: Pick<Account, 'keys'>, keys: AccountKeys): KeyNotice['kind'] | null {
  if (!before.keys) return 'keys.first'
  // Either key: the fingerprint covers both, and a swapped box key would have room keys sealed to another.
  return before.keys.sign !== keys.sign || before.keys.box !== keys.box ? 'keys.changed' : null
}

/** Writes the notices `entry` (an `account.keys` for `account`, as it was before) makes. */
export async function noticeKeyChange(tx: ViewTx, entry: Entry, account: Account, keys: AccountKeys): Promise<void> {
  const kind = keyChange(account, keys)
  if (!kind) return
  const prefix = `${account.username.toLowerCase()}!`
  const joined = (await tx.keysUnder('memberOf', prefix)).map((key) => key.slice(prefix.length))
  for (const room of new Set([GENERAL_ROOM, ...joined])) {
    const notice: KeyNotice = { room, seq: entry.seq, ts: entry.ts, kind, username: account.username, keys }
    await tx.put('notices', noticeKey(room, entry.seq), notice, true)
  }
}
