/**
 * `profile.set` (shared/entries.ts, shared/profile.ts): a well-formed one passes in a submit
 * frame unchanged (so its signature holds); too long, hidden or reordering characters and
 * text not in NFC are refused with their codes; the frame parser never throws.
 */
import t from 'tap'
import {
  DISPLAY_NAME_MAX,
  PROTOCOL_VERSION,
  STATUS_MAX,
  actorOf,
  displayNameProblem,
  nameItPassesFor,
  parseFrame,
  statusProblem,
} from '../../shared/index.js'

const NODE = '0123456789abcdef'
const submit = (body: object) => ({ type: 'submit', submission: { id: 'prof-00000001', ts: 1_700_000_000_000, origin: NODE, body } })
const profile = (more: object = {}) => ({
  type: 'profile.set',
  username: 'alice',
  displayName: 'Alice Martin',
  status: 'in a meeting',
  ...more,
})

t.test('protocol 9 carries it, signed by the account itself', async (t) => {
  t.equal(PROTOCOL_VERSION, 9)
  t.equal(actorOf(profile() as never), 'alice')
})

t.test('well-formed profiles pass unchanged', async (t) => {
  for (const body of [
    profile(),
    profile({ displayName: '', status: '' }),
    profile({ statusEmoji: '📅' }),
    profile({ displayName: 'Zoë Ångström', status: '🏴󠁧󠁢󠁳󠁣󠁴󠁿 back Monday' }),
    profile({ displayName: 'Dev 👩‍💻', status: 'family 👨‍👩‍👧 day' }),
    profile({ displayName: 'x'.repeat(DISPLAY_NAME_MAX), status: 'y'.repeat(STATUS_MAX) }),
    profile({ displayName: '😀'.repeat(DISPLAY_NAME_MAX) }),
  ]) {
    const frame = submit(body)
    const r = parseFrame(JSON.stringify(frame))
    t.same(r.ok ? r.frame : r, frame, `${JSON.stringify(body)} passes as it was`)
  }
})

t.test('each bad text is refused, with its code', async (t) => {
  const cases: [string, string | undefined][] = [
    ['x'.repeat(DISPLAY_NAME_MAX + 1), 'profile_too_long'],
    ['😀'.repeat(DISPLAY_NAME_MAX + 1), 'profile_too_long'],
    ['line\nbreak', 'profile_hidden_characters'],
    ['tab\there', 'profile_hidden_characters'],
    ['nul\u0000', 'profile_hidden_characters'],
    ['c1\u0085', 'profile_hidden_characters'],
    ['evil\u202egnp.exe', 'profile_hidden_characters'],
    ['\u2066isolate\u2069', 'profile_hidden_characters'],
    ['mark\u200f', 'profile_hidden_characters'],
    ['al\u200bice', 'profile_hidden_characters'],
    ['al\u200dice', 'profile_hidden_characters'],
    ['al\u2060ice', 'profile_hidden_characters'],
    ['\ufeffalice', 'profile_hidden_characters'],
    ['al\u00adice', 'profile_hidden_characters'],
    ['\u3164', 'profile_hidden_characters'],
    ['stray tag\u{e0041}', 'profile_hidden_characters'],
    ['e\u0301', 'profile_not_nfc'],
    ['é', undefined],
  ]
  for (const [text, code] of cases) t.equal(displayNameProblem(text), code, `${JSON.stringify(text)}: ${code ?? 'fine'}`)
  t.equal(statusProblem('s'.repeat(STATUS_MAX + 1)), 'profile_too_long', 'a status over STATUS_MAX')
  t.equal(statusProblem('s'.repeat(STATUS_MAX)), undefined, 'a status of STATUS_MAX')
})

t.test('the frame parser refuses them in words and never throws', async (t) => {
  for (const body of [
    profile({ displayName: 'x'.repeat(DISPLAY_NAME_MAX + 1) }),
    profile({ status: 'a\u202eb' }),
    profile({ displayName: 'e\u0301' }),
    profile({ statusEmoji: 'smile' }),
    profile({ displayName: 42 }),
    profile({ username: 'no spaces allowed' }),
    { type: 'profile.set', username: 'alice' },
  ]) {
    let r: ReturnType<typeof parseFrame> | undefined
    t.doesNotThrow(() => {
      r = parseFrame(JSON.stringify(submit(body)))
    })
    t.equal(r?.ok, false, `${JSON.stringify(body).slice(0, 80)} refused`)
  }
})

t.test('what a display name passes for', async (t) => {
  t.equal(nameItPassesFor('@Alice'), 'alice')
  t.equal(nameItPassesFor('  ＡＬＩＣＥ '), 'alice', 'full-width letters fold by NFKC')
  t.equal(nameItPassesFor('Alice Martin'), 'alice martin')
})
