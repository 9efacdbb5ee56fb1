/**
 * A machine holds a pass for each person with a page open on it, signed with the keys their
 * page's session opens, and makes it again before it runs out; a person whose session has no
 * keys gets none, and a person who closed their pages is forgotten.
 */
import t from 'tap'
import pino from 'pino'
import { checkPass } from '../../../daemon/accounts/index.js'
import { sealForSession } from '../../../daemon/accounts/session-keys.js'
import { PresencePasses } from '../../../daemon/http/presence-passes.js'
import type { Authenticated } from '../../../daemon/http/auth.js'
import { PASS_LIFETIME_MS, PASS_RENEW_MS } from '../../../shared/index.js'
import { testAccount } from '../../lib/accounts.js'

const H1 = '0123456789abcdef'
const SECRET = 'a-cookie-secret-of-the-page'

t.test('a pass for each person with a page open, renewed before it runs out', async (t) => {
  const alice = testAccount('alice')
  const who = (username: string, keyed: boolean) =>
    ({
      session: {
        username,
        ...(keyed ? { sealedKeys: sealForSession(alice.secrets, SECRET), publicKeys: alice.keys } : {}),
      },
      token: SECRET,
      via: 'cookie',
    }) as unknown as Authenticated
  let open: Record<string, Authenticated> = { alice: who('alice', true), olga: who('olga', false) }
  let now = 1_780_000_000_000
  const passes = new PresencePasses(
    H1,
    { users: () => Object.keys(open).sort(), sessionOf: (u) => open[u] },
    pino({ level: 'silent' }),
    () => now,
  )

  t.ok(passes.anyDue(), 'alice has no pass yet: presence is due')
  const first = passes.current()
  t.same(
    first.map((p) => p.username),
    ['alice'],
    'alice gets one; olga (no keys in her session) none',
  )
  t.same(checkPass(first[0]!, alice.keys.sign, H1, now), { ok: true }, "signed with alice's key, for this machine")
  t.notOk(passes.anyDue(), 'nothing due right after')
  t.equal(passes.current()[0], first[0], 'the same pass is shown again while it is fresh')

  now += PASS_LIFETIME_MS - PASS_RENEW_MS + 1
  t.ok(passes.anyDue(), 'half a day before it runs out, it is due')
  const renewed = passes.current()[0]!
  t.ok(renewed.until > first[0]!.until, 'a new pass, lasting longer')

  open = { olga: open.olga! }
  t.same(passes.current(), [], 'alice closed her page: her pass is forgotten')
  open = { alice: who('alice', true) }
  t.ok(passes.anyDue(), 'and she needs a new one when she is back')
})

t.test('a session the secret does not open gives no pass, and says so', async (t) => {
  const alice = testAccount('alice')
  const lines: { username?: string }[] = []
  const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(JSON.parse(l)) })
  const broken = {
    session: { username: 'alice', sealedKeys: sealForSession(alice.secrets, 'another secret'), publicKeys: alice.keys },
    token: SECRET,
    via: 'cookie',
  } as unknown as Authenticated
  const passes = new PresencePasses(H1, { users: () => ['alice'], sessionOf: () => broken }, log)
  t.same(passes.current(), [], 'no pass')
  t.same(
    lines.map((l) => l.username),
    ['alice'],
    'logged, with whose',
  )
})
