/**
 * `PUT /api/v1/profile`: a person sets their own display name and status; it reaches the other
 * daemon (a signed `profile.set` in the log) and shows in GET /api/v1/profiles, the people
 * directory and a room's members. Logged out: 401; the cookie without its CSRF token: 403;
 * each refusal has its code and says what to do, and writes nothing to the log.
 */
import t from 'tap'
import { call, startPair, waitFor, type Reply } from './local-daemon.js'

const root = t.testdir()
const PASSWORD = 'pair of velvet lamps'

t.test('display names and statuses', async (t) => {
  const { relay, client, token } = await startPair(t, root, ['alice', 'bob'], PASSWORD)
  const as = (ui: string, tok: string) => (path: string, json?: unknown) =>
    call(ui, path, { token: tok, ...(json === undefined ? {} : { method: 'PUT', json }) })
  const A = as(client.ui, await token(client.ui, 'alice'))
  const B = as(relay.ui, await token(relay.ui, 'bob'))
  const head = async () => (await call(relay.ui, '/api/v1/status')).body.head as number
  const refused = (r: Reply, status: number, code: string, what: string) => {
    t.same([r.status, r.body?.error?.code], [status, code], `${what}: ${status} ${code}`)
    t.ok(String(r.body?.error?.message ?? '').length > 20, `${what}: says what to do`)
  }

  const set = await A('/api/v1/profile', { displayName: ' Alice Martin ', status: 'in a meeting', statusEmoji: '📅' })
  t.equal(set.status, 200)
  const alice = { displayName: 'Alice Martin', status: 'in a meeting', statusEmoji: '📅' }
  t.same(set.body.profiles, { alice }, "the answer holds everyone's profiles, hers trimmed")
  await waitFor(
    "alice's profile on the relay",
    async () => (await B('/api/v1/profiles')).body.profiles?.alice?.displayName === 'Alice Martin',
  )
  t.same((await B('/api/v1/profiles')).body.profiles, { alice }, 'bob, on the other machine, sees it whole')
  t.same((await B('/api/v1/people')).body.people, [{ username: 'alice', ...alice }, { username: 'bob' }], 'in the people directory')
  const members = (await B('/api/v1/rooms/general/members')).body
  t.same(members.members, ['alice', 'bob'])
  t.same(members.profiles, { alice }, "in a room's members")

  const before = await head()
  refused(await B('/api/v1/profile', { displayName: 'x'.repeat(65), status: '' }), 400, 'profile_too_long', 'a 65-character name')
  refused(await B('/api/v1/profile', { displayName: 'Bob', status: 's'.repeat(101) }), 400, 'profile_too_long', 'a 101-character status')
  refused(await B('/api/v1/profile', { displayName: 'evil\u202egnp', status: '' }), 400, 'profile_hidden_characters', 'a bidi override')
  refused(await B('/api/v1/profile', { displayName: 'al\u200bice', status: '' }), 400, 'profile_hidden_characters', 'a zero-width space')
  refused(await B('/api/v1/profile', { displayName: 'Bob', status: 'two\nlines' }), 400, 'profile_hidden_characters', 'a new line')
  refused(await B('/api/v1/profile', { displayName: '@alice', status: '' }), 409, 'display_name_is_username', "'@alice'")
  refused(await B('/api/v1/profile', { displayName: 'ALICE', status: '' }), 409, 'display_name_is_username', "'ALICE'")
  refused(
    await B('/api/v1/profile', { displayName: 'Bob', statusEmoji: 'smile' }),
    400,
    'invalid_reaction',
    'a status emoji that is a word',
  )
  refused(await B('/api/v1/profile', { displayName: 42 }), 400, 'bad_request', 'a number')
  t.equal(await head(), before, 'nothing refused reached the log')

  t.equal((await B('/api/v1/profile', { displayName: 'bob', status: '' })).status, 200, 'his own username as a display name is fine')
  t.equal((await A('/api/v1/profile', { displayName: 'e\u0301mile' })).body.profiles.alice.displayName, '\u00e9mile', 'normalised to NFC')
  t.same((await A('/api/v1/profile', {})).body.profiles.alice, undefined, 'empty is none: her profile is gone')

  refused(
    await call(client.ui, '/api/v1/profile', { method: 'PUT', json: { displayName: 'Nobody' } }),
    401,
    'unauthenticated',
    'logged out',
  )
  const login = await call(client.ui, '/api/v1/sessions', { json: { username: 'alice', password: PASSWORD } })
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
  const viaCookie = (headers: Record<string, string>) =>
    call(client.ui, '/api/v1/profile', { method: 'PUT', json: { displayName: 'Via Cookie' }, headers: { cookie, ...headers } })
  refused(await viaCookie({}), 403, 'csrf_failed', 'the cookie without X-CSRF-Token')
  t.equal((await viaCookie({ 'x-csrf-token': login.body.csrfToken })).status, 200, 'the cookie with its CSRF token sets it')
})
