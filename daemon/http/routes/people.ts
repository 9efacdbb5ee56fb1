import type { FastifyInstance } from 'fastify'
import {
  MAX_PEOPLE_LISTED,
  type PeopleResponse,
  PersonParam,
  type ProfileResponse,
  type ProfilesResponse,
  SetProfile,
  displayNameProblem,
  statusProblem,
  DISPLAY_NAME_MAX,
  STATUS_MAX,
  Reaction,
} from '../../../shared/index.js'
import { fingerprintOf } from '../../accounts/index.js'
import { InputError } from '../../errors/index.js'
import type { HttpContext } from '../context.js'
import { submitNow } from '../room-access.js'

/**
 * People: a person as others can check them (their account's fingerprint), the directory, and
 * display names and statuses (docs/API.md, "People"; shared/profile.ts).
 */
export function peopleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const profile = async (username: string): Promise<ProfileResponse> => {
    const account = await ctx.store.views.account(username)
    if (!account) throw new InputError('not_found', `There is no account "${username}" on this network.`)
    return { username: account.username, fingerprint: fingerprintOf(account) }
  }

  app.get('/api/v1/me', async (req) => profile(req.who.session.username))

  // Everyone with an account (issue 17's people directory): every account is in general, so
  // any member may already see every name there; this only lists them without waiting for
  // them to write. One more than the limit is read, to tell whether the list was cut.
  app.get('/api/v1/people', async (): Promise<PeopleResponse> => {
    const people = await ctx.store.views.people(MAX_PEOPLE_LISTED + 1)
    return { people: people.slice(0, MAX_PEOPLE_LISTED), more: people.length > MAX_PEOPLE_LISTED }
  })

  app.get('/api/v1/people/:username', async (req) => {
    const parsed = PersonParam.safeParse(req.params)
    if (!parsed.success) throw new InputError('invalid_username', 'That is not a username: 3–32 letters, digits, ".", "-" or "_".')
    return profile(parsed.data.username)
  })

  app.get('/api/v1/profiles', async (): Promise<ProfilesResponse> => ({ profiles: await ctx.store.views.profiles() }))

  /** One's own display name and status, into the log so that every machine shows them. */
  app.put('/api/v1/profile', async (req): Promise<ProfilesResponse> => {
    const body = profileBody(req.body)
    await submitNow(ctx, req.who, { type: 'profile.set', username: req.who.session.username, ...body })
    return { profiles: await ctx.store.views.profiles() }
  })
}

/** The request as an entry's fields: NFC, trimmed, each refusal in words. */
function profileBody(raw: unknown): { displayName: string; status: string; statusEmoji?: string } {
  const parsed = SetProfile.safeParse(raw)
  if (!parsed.success) throw new InputError('bad_request', 'Send {"displayName": "…", "status": "…"} (strings; empty for none).')
  const displayName = (parsed.data.displayName ?? '').normalize('NFC').trim()
  const status = (parsed.data.status ?? '').normalize('NFC').trim()
  const emoji = (parsed.data.statusEmoji ?? '').trim()
  refuse(displayNameProblem(displayName), 'display name', DISPLAY_NAME_MAX)
  refuse(statusProblem(status), 'status', STATUS_MAX)
  if (emoji && !Reaction.safeParse(emoji).success)
    throw new InputError('invalid_reaction', 'A status emoji is one emoji, or empty for none.')
  return { displayName, status, ...(emoji ? { statusEmoji: emoji } : {}) }
}

function refuse(problem: ReturnType<typeof displayNameProblem>, what: string, max: number): void {
  if (problem === 'profile_too_long') throw new InputError(problem, `A ${what} is at most ${max} characters; shorten it.`)
  if (problem)
    throw new InputError(
      'profile_hidden_characters',
      `A ${what} cannot hold control, invisible or text-direction characters; type it again without them.`,
    )
}
