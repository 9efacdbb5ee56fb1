/**
 * A machine shows someone online (or away, or typing) only with their pass for that machine
 * (shared/presence.ts): a modified daemon that names people who never opened a page on it,
 * shows another machine's pass, or an expired or altered one, has them left out and logged.
 * Accounts from before account keys cannot sign and are taken on the machine's word.
 */
import t from 'tap'
import pino from 'pino'
import { makePass } from '../../../daemon/accounts/index.js'
import { admittedPresence, speaksFor } from '../../../daemon/relay/presence-check.js'
import type { AccountKeys } from '../../../shared/index.js'
import { testAccount } from '../../lib/accounts.js'

const H1 = '0123456789abcdef'
const H2 = 'fedcba9876543210'
const NOW = 1_780_000_000_000

function logCapture() {
  const lines: { username?: string; reason?: string; machine?: string }[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  return { log, lines }
}

t.test('only people with their own pass for this machine are shown online', async (t) => {
  const alice = testAccount('alice')
  const bob = testAccount('bob')
  const carol = testAccount('carol')
  const keys = new Map<string, { keys?: AccountKeys }>([
    ['alice', { keys: alice.keys }],
    ['bob', { keys: bob.keys }],
    ['carol', { keys: carol.keys }],
    ['olga', {}], // an account from before account keys
  ])
  const account = async (u: string) => keys.get(u.toLowerCase())
  const { log, lines } = logCapture()
  const claim = {
    users: ['alice', 'bob', 'carol', 'olga', 'ghost'],
    away: ['bob', 'olga', 'carol'],
    passes: [
      makePass('alice', H1, alice.secrets, alice.keys, NOW),
      makePass('bob', H2, bob.secrets, bob.keys, NOW), // bob's pass for another machine
      { ...makePass('carol', H1, carol.secrets, carol.keys, NOW - 2 * 86_400_000) }, // run out
    ],
  }
  const shown = await admittedPresence(claim, H1, account, log, NOW)
  t.same(shown, { users: ['alice', 'olga'], away: ['olga'] }, 'alice with her pass, olga (no keys to sign with); no one else')
  t.same(
    lines.map((l) => [l.username, l.reason]),
    [
      ['bob', 'other_machine'],
      ['carol', 'expired'],
      ['ghost', undefined],
    ],
    'each one left out is logged, with why',
  )
  t.ok(
    lines.every((l) => l.machine === H1),
    'and which machine claimed them',
  )
})

t.test('a pass shown for someone else, or a forged one, does not count', async (t) => {
  const alice = testAccount('alice')
  const mallory = testAccount('mallory')
  const account = async (u: string) => (u === 'alice' ? { keys: alice.keys } : u === 'mallory' ? { keys: mallory.keys } : undefined)
  const { log } = logCapture()
  const forged = makePass('alice', H1, mallory.secrets, mallory.keys, NOW)
  t.same(
    await admittedPresence({ users: ['alice'], away: [], passes: [forged] }, H1, account, log, NOW),
    { users: [], away: [] },
    "mallory's machine signing alice's pass with mallory's key",
  )
  const malloryPass = makePass('mallory', H1, mallory.secrets, mallory.keys, NOW)
  t.same(
    await admittedPresence({ users: ['alice'], away: [], passes: [{ ...malloryPass, username: 'alice' }] }, H1, account, log, NOW),
    { users: [], away: [] },
    "mallory's own pass relabelled as alice's",
  )
  t.same(
    await admittedPresence({ users: ['alice'], away: [], passes: [] }, H1, account, log, NOW),
    { users: [], away: [] },
    'no pass at all',
  )
})

t.test('typing is passed on only for someone the machine shows online', async (t) => {
  t.ok(speaksFor(['alice', 'olga'], 'Alice'), 'names match regardless of case')
  t.notOk(speaksFor(['alice'], 'bob'), 'bob is not on that machine: his "typing" is dropped')
  t.notOk(speaksFor([], 'alice'), 'nor anyone from a machine that shows no one')
})
