/**
 * Fingerprints and key notices as the API shows them. A fingerprint costs 5200 SHA-512 calls
 * (daemon/accounts/fingerprint.ts: about 20 ms on a busy 2-core machine, then remembered), so
 * a list computes them one at a time and lets the event loop run between them: a relay
 * answering its links must not stall behind a long member list.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { TimelineNotice } from '../../shared/index.js'
import { fingerprintOf } from '../accounts/index.js'
import type { KeyNotice, Views } from '../store/index.js'

/** Each person's fingerprint by name (null: no keys yet, or no such account). */
export async function fingerprintsOf(views: Views, usernames: readonly string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {}
  for (const name of usernames) {
    const account = await views.account(name)
    out[name] = account ? fingerprintOf(account) : null
    await nextTurn()
  }
  return out
}

export function timelineNotice(n: KeyNotice): TimelineNotice {
  return { room: n.room, seq: n.seq, ts: n.ts, kind: n.kind, username: n.username, fingerprint: fingerprintOf(n) ?? '' }
}

/**
 * The notices that go with one page of a room's messages (`limit` asked, before `before`;
 * `size` messages came, the oldest `oldestSeq`): those after the page's oldest message when it
 * is full (older ones come with the next page), all the older ones otherwise. So paging back
 * yields each notice exactly once.
 */
export async function noticesForPage(
  views: Views,
  room: string,
  page: { size: number; oldestSeq: number | undefined },
  limit: number,
  before?: number,
): Promise<TimelineNotice[]> {
  const after = page.size >= limit ? (page.oldestSeq ?? 0) : 0
  const notices = await views.notices(room, after, before)
  const out: TimelineNotice[] = []
  for (const n of notices) {
    out.push(timelineNotice(n))
    await nextTurn()
  }
  return out
}
