/**
 * The people directory's rules (issue 17): everyone with an account (GET /api/v1/people),
 * filtered by what is typed, and what the chosen ones make: a direct conversation with one
 * person, or a group one with up to seven others (the daemon takes 2–8 people, me included).
 */
import type { PeopleResponse } from '../../../shared/index.js'

/** Others besides me in one conversation (docs/API.md: a direct conversation has 2–8 people). */
export const MAX_OTHERS = 7

/** The answer read defensively: names only, never me; null when it is not the shape. */
export function parsePeople(json: unknown, me: string | null): { names: string[]; more: boolean } | null {
  const body = json as Partial<PeopleResponse> | null
  if (!body || !Array.isArray(body.people)) return null
  const names = body.people
    .map((p) => (p && typeof p === 'object' && typeof p.username === 'string' ? p.username : null))
    .filter((n): n is string => n !== null && n !== me)
  return { names, more: body.more === true }
}

/** Names containing what is typed (any case), in the directory's order. */
export function filterPeople(names: readonly string[], typed: string): string[] {
  const q = typed.trim().toLowerCase()
  return q === '' ? [...names] : names.filter((n) => n.toLowerCase().includes(q))
}

export type StartChoice = { ok: true; label: string } | { ok: false; reason: string }

/** What the start button says and does for the people chosen. */
export function startChoice(chosen: readonly string[]): StartChoice {
  if (chosen.length === 0) return { ok: false, reason: 'Choose someone to message (Space ticks a name).' }
  if (chosen.length > MAX_OTHERS)
    return { ok: false, reason: `A conversation has at most ${MAX_OTHERS + 1} people: untick ${chosen.length - MAX_OTHERS}.` }
  if (chosen.length === 1) return { ok: true, label: `Message ${chosen[0]}` }
  return { ok: true, label: `Start a conversation with ${chosen.length} people` }
}
