/**
 * A file's name as every machine shows it: a FileRef whose name `safeFileName` would change
 * (a direction override, a control character, a folder) is refused by the schema itself, so
 * at every boundary (a submission at the relay, an entries frame at a follower, the API), not
 * only for this machine's own uploads.
 */
import t from 'tap'
import { FILE_NAME_MAX, FileRef, isCleanFileName, parseFrame, safeFileName } from '../../shared/index.js'

const SHA = 'a'.repeat(64)
const ref = (name: string) => ({ sha256: SHA, name, size: 12, mime: 'text/plain' })

function entriesFrame(name: string): string {
  const entry = {
    id: 'msg-00000001',
    ts: 1_700_000_000_000,
    origin: '0123456789abcdef',
    seq: 1,
    term: 1,
    body: { type: 'message.posted', room: 'general', author: 'alice', text: '', files: [ref('fine.txt'), ref(name)] },
  }
  // The relay's signed word on where the batch ends (shared/chain.ts): only its shape matters here.
  const order = { network: 'lab', relayId: 'fedcba9876543210', term: 1, seq: 1, chain: 'c'.repeat(64), sig: `${'A'.repeat(86)}==` }
  return JSON.stringify({ type: 'entries', entries: [entry], order })
}

const HOSTILE: [string, string][] = [
  ['invoice\u202Etxt.exe', 'a right-to-left override (reads as "invoiceexe.txt")'],
  ['report\u2066.pdf', 'a left-to-right isolate'],
  ['../../x', 'a path up the tree'],
  ['C:\\Windows\\evil.dll', 'a Windows path'],
  ['a\u0007b', 'a control character (bell)'],
  ['line\nbreak.txt', 'a new line'],
  ['.bashrc', 'a leading dot'],
  [' padded.txt', 'a leading space'],
  ['trailing.txt ', 'a trailing space'],
]

t.test('a name safeFileName would change is refused, wherever it arrives', async (t) => {
  for (const [name, why] of HOSTILE) {
    t.not(safeFileName(name), name, `safeFileName changes it: ${why}`)
    const parsed = FileRef.safeParse(ref(name))
    t.notOk(parsed.success, `the FileRef schema refuses ${why}`)
    if (!parsed.success) t.match(parsed.error.issues[0], { path: ['name'], message: /file name/ })
    const frame = parseFrame(entriesFrame(name))
    t.match(frame, { ok: false, message: /entries\.0\.body\.files\.1\.name/ }, `an entries frame holding ${why} is refused`)
  }
})

t.test('every clean name passes, and what safeFileName makes is clean', async (t) => {
  for (const name of ['invoice.pdf', 'Photo 2025-06-12 at 09.05.jpg', 'ünïcødé 日本語.txt', 'file', 'a.b.c', 'emoji 👋.png']) {
    t.ok(FileRef.safeParse(ref(name)).success, `${name} passes`)
    t.ok(parseFrame(entriesFrame(name)).ok, `${name} passes in an entries frame`)
  }
  for (const [name] of HOSTILE) t.ok(FileRef.safeParse(ref(safeFileName(name))).success, `cleaned, ${JSON.stringify(name)} passes`)
})

t.test('a long name cut to the limit is clean when cleaned again, even if the cut falls after a space', async (t) => {
  // No extension to keep: the cut lands right after the space at FILE_NAME_MAX.
  const long = `${'x'.repeat(FILE_NAME_MAX - 1)} ${'y'.repeat(50)}`
  const cut = safeFileName(long)
  t.equal(cut, 'x'.repeat(FILE_NAME_MAX - 1), 'the space the cut ended on is gone')
  t.equal(safeFileName(cut), cut, 'cleaning it again changes nothing')
  t.ok(FileRef.safeParse(ref(cut)).success, 'so the relay takes what the uploads cleaned')
  const withExt = safeFileName(`${'x'.repeat(300)}.tar.gz`)
  t.equal(withExt.length, FILE_NAME_MAX)
  t.ok(withExt.endsWith('.gz'), 'the extension is kept')
  t.ok(FileRef.safeParse(ref(withExt)).success)
})

t.test('the quick check the schema runs answers exactly "would safeFileName leave it alone"', async (t) => {
  // Names built from the characters that matter: separators, dots, spaces of several kinds,
  // controls, direction marks, letters, an astral emoji.
  const alphabet = [...'aZ. \u00a0\u2028\t/\\\u0000\u0085\u202e\u2067\u200fé👋-']
  let seed = 42
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed % n
  }
  let disagreements = 0
  let clean = 0
  for (let i = 0; i < 20_000; i++) {
    const name = Array.from({ length: 1 + random(8) }, () => alphabet[random(alphabet.length)]).join('')
    const same = safeFileName(name) === name
    if (same) clean++
    if (isCleanFileName(name) !== same) {
      disagreements++
      if (disagreements <= 3) t.fail(`they disagree on ${JSON.stringify(name)}`)
    }
  }
  t.equal(disagreements, 0, 'no disagreement over 20,000 names')
  t.ok(clean > 1000, `both kinds were tried (${clean} clean names)`)
})
