/**
 * Display names and statuses read defensively, without the DOM (tested in Node): the daemon's
 * GET /api/v1/profiles answer becomes a map of strings only; anything else is dropped.
 * The username always goes beside a display name (shared/profile.ts says why).
 */
import type { PersonProfile } from '../../../shared/index.js'

export function parseProfiles(v: unknown): Map<string, PersonProfile> {
  const out = new Map<string, PersonProfile>()
  const all = typeof v === 'object' && v !== null ? (v as { profiles?: unknown }).profiles : undefined
  if (typeof all !== 'object' || all === null) return out
  for (const [name, p] of Object.entries(all)) {
    if (typeof p !== 'object' || p === null) continue
    const { displayName, status, statusEmoji } = p as Record<string, unknown>
    out.set(name, {
      ...(typeof displayName === 'string' && displayName ? { displayName } : {}),
      ...(typeof status === 'string' && status ? { status } : {}),
      ...(typeof statusEmoji === 'string' && statusEmoji ? { statusEmoji } : {}),
    })
  }
  return out
}

/** The status as one line: "📅 in a meeting", or '' for none. */
export function statusLine(p: PersonProfile | undefined): string {
  return [p?.statusEmoji, p?.status].filter(Boolean).join(' ')
}
