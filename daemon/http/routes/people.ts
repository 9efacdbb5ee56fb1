import type { FastifyInstance } from 'fastify'
import { MAX_PEOPLE_LISTED, type PeopleResponse, PersonParam, type ProfileResponse } from '../../../shared/index.js'
import { fingerprintOf } from '../../accounts/index.js'
import { InputError } from '../../errors/index.js'
import type { HttpContext } from '../context.js'

/** A person as others can check them: their account's fingerprint (docs/API.md, "People"). */
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
    const names = await ctx.store.views.usernames(MAX_PEOPLE_LISTED + 1)
    return { people: names.slice(0, MAX_PEOPLE_LISTED).map((username) => ({ username })), more: names.length > MAX_PEOPLE_LISTED }
  })

  app.get('/api/v1/people/:username', async (req) => {
    const parsed = PersonParam.safeParse(req.params)
    if (!parsed.success) throw new InputError('invalid_username', 'That is not a username: 3–32 letters, digits, ".", "-" or "_".')
    return profile(parsed.data.username)
  })
}
