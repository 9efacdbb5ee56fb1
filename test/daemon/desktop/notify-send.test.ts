/**
 * Clickable notifications on Linux (daemon/desktop/notify-send.ts), against a recording
 * notify-send: the arguments it is given (no shell, markup escaped, no option smuggled in by a
 * leading dash), a click (it prints "default") opens the note's room, at most MAX_WAITING wait
 * at a time, a version before 0.8 or a missing command falls back and is said once.
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { OsNotifier } from '../../../daemon/desktop/index.js'
import { MAX_WAITING, NotifySend, probeNotifySend } from '../../../daemon/desktop/index.js'
import type { Note } from '../../../daemon/desktop/index.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A notify-send that writes its arguments (NUL-separated) to DIR/args-PID, then waits until
 * DIR/click-PID exists (prints "default": a click) or DIR/close-PID (prints nothing: expired).
 */
function fakeNotifySend(dir: string, version = '0.8.1'): string {
  const file = join(dir, 'notify-send')
  writeFileSync(
    file,
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "notify-send ${version}"; exit 0; fi
printf '%s\\0' "$@" > "${dir}/args-$$"
while :; do
  if [ -e "${dir}/click-$$" ]; then echo default; exit 0; fi
  if [ -e "${dir}/close-$$" ]; then exit 0; fi
  sleep 0.02
done
`,
  )
  chmodSync(file, 0o755)
  return file
}

const note = (n: Partial<Note> = {}): Note => ({ title: 'alice in #general', body: 'hello', room: 'general', mention: false, ...n })

function recordingLog() {
  const lines: { level: number; msg: string }[] = []
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) })
  return { log, lines }
}

async function until<T>(what: string, fn: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const v = fn()
    if (v) return v
    await sleep(20)
  }
  throw new Error(`${what} did not happen within 5 s`)
}

/** The pids notify-send was started as, oldest first, once each wrote its arguments. */
function started(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('args-'))
    .map((f) => Number(f.slice(5)))
    .sort((a, b) => a - b)
}

const argsOf = (dir: string, pid: number) =>
  readFileSync(join(dir, `args-${pid}`), 'utf8')
    .split('\0')
    .slice(0, -1)

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('a click on the note opens its room; the arguments carry no markup and no option', async (t) => {
  const dir = t.testdir()
  const clicked: string[] = []
  const errors: Error[] = []
  const sender = new NotifySend({
    log: pino({ level: 'silent' }),
    onClick: (room) => clicked.push(room),
    onError: (e) => errors.push(e),
    command: fakeNotifySend(dir),
  })
  t.teardown(() => sender.close())
  sender.show(note({ title: '-alice in #design', body: '--help <b>&</b>', room: 'r-abcdefabcdef', mention: true }))
  const [pid] = await until('notify-send to start', () => started(dir).length === 1 && started(dir))
  t.same(argsOf(dir, pid!), [
    '--app-name=SO-CHAT',
    '--category=im.received',
    '--urgency=critical',
    '--action=default=Open',
    '--wait',
    '\u200b-alice in #design',
    '\u200b--help &lt;b&gt;&amp;&lt;/b&gt;',
  ])
  t.equal(sender.waiting, 1, 'it waits for a click')
  t.same(clicked, [], 'nothing opens before the click')
  writeFileSync(join(dir, `click-${pid}`), '')
  await until('the click to reach the daemon', () => clicked.length === 1)
  t.same(clicked, ['r-abcdefabcdef'], 'the room of the clicked note')
  t.equal(sender.waiting, 0, 'notify-send has exited')
  t.same(errors, [])
})

t.test('a note that expires or is dismissed opens nothing', async (t) => {
  const dir = t.testdir()
  const clicked: string[] = []
  const errors: Error[] = []
  const sender = new NotifySend({
    log: pino({ level: 'silent' }),
    onClick: (r) => clicked.push(r),
    onError: (e) => errors.push(e),
    command: fakeNotifySend(dir),
  })
  sender.show(note())
  const [pid] = await until('notify-send to start', () => started(dir).length === 1 && started(dir))
  writeFileSync(join(dir, `close-${pid}`), '')
  await until('notify-send to exit', () => sender.waiting === 0)
  t.same(clicked, [])
  t.same(errors, [])
  t.equal(argsOf(dir, pid!)[2], '--urgency=normal', 'a plain message is not critical')
})

t.test(`at most ${MAX_WAITING} notify-send wait at a time: a new note ends the oldest`, async (t) => {
  const dir = t.testdir()
  const clicked: string[] = []
  const sender = new NotifySend({
    log: pino({ level: 'silent' }),
    onClick: (r) => clicked.push(r),
    onError: t.fail,
    command: fakeNotifySend(dir),
  })
  for (let i = 0; i < MAX_WAITING + 2; i++) {
    sender.show(note({ room: `r-room${i}aaaaaa` }))
    // One at a time, so that the order of the pids is the order of the notes.
    await until(`note ${i} to start`, () => started(dir).length === i + 1)
  }
  t.equal(sender.waiting, MAX_WAITING, 'the bound holds')
  const pids = started(dir)
  await until('the two oldest to be ended', () => !alive(pids[0]!) && !alive(pids[1]!))
  t.ok(pids.slice(2).every(alive), 'the newest still wait')
  // The newest can still be clicked through.
  writeFileSync(join(dir, `click-${pids[MAX_WAITING + 1]}`), '')
  await until('the click', () => clicked.length === 1)
  t.same(clicked, [`r-room${MAX_WAITING + 1}aaaaaa`])
  sender.close()
  await until('close to end every waiter', () => pids.every((p) => !alive(p)))
  t.equal(sender.waiting, 0)
})

t.test('notify-send that cannot be started is an error, not a crash', async (t) => {
  const errors: Error[] = []
  const sender = new NotifySend({
    log: pino({ level: 'silent' }),
    onClick: t.fail,
    onError: (e) => errors.push(e),
    command: join(t.testdir(), 'no-such-notify-send'),
  })
  sender.show(note())
  await until('the error', () => errors.length === 1)
  t.match(errors[0], { code: 'ENOENT' })
  t.equal(sender.waiting, 0)
})

t.test('no notification server: an error at once, and the waiting notify-send is ended', async (t) => {
  const dir = t.testdir()
  // What notify-send 0.8.1 does with no session bus: two lines on stderr, then it waits for ever.
  const file = join(dir, 'notify-send')
  writeFileSync(file, `#!/bin/sh\necho $$ > "${dir}/pid"\necho "Could not connect: No such file or directory" >&2\nexec sleep 600\n`)
  chmodSync(file, 0o755)
  const errors: Error[] = []
  const sender = new NotifySend({ log: pino({ level: 'silent' }), onClick: t.fail, onError: (e) => errors.push(e), command: file })
  sender.show(note())
  await until('the error', () => errors.length === 1)
  t.match(errors[0]!.message, /no notification server: Could not connect/)
  t.equal(sender.waiting, 0, 'nothing waits')
  const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'))
  await until('the process to be ended', () => !alive(pid))
  t.equal(errors.length, 1, 'one error, not one more when it exits')
})

t.test('the probe: 0.8 and newer are clickable; older or missing are not', async (t) => {
  t.match(await probeNotifySend(fakeNotifySend(t.testdir(), '0.8.1')), { ok: true, version: '0.8.1' })
  t.match(await probeNotifySend(fakeNotifySend(t.testdir(), '1.0')), { ok: true })
  t.match(await probeNotifySend(fakeNotifySend(t.testdir(), '0.7.9')), { ok: false, reason: /0\.7\.9 is older than 0\.8/ })
  t.match(await probeNotifySend(join(t.testdir(), 'missing')), { ok: false, reason: /--version" failed/ })
})

t.test('OsNotifier on Linux: clickable through notify-send 0.8; an older one is said once', async (t) => {
  const dir = t.testdir()
  const clicked: string[] = []
  const { log, lines } = recordingLog()
  const os = new OsNotifier(log, (r) => clicked.push(r), { platform: 'linux', notifySend: fakeNotifySend(dir) })
  t.teardown(() => os.close())
  os.show(note({ room: 'r-clickclickcl' }))
  const [pid] = await until('notify-send to start', () => started(dir).length === 1 && started(dir))
  writeFileSync(join(dir, `click-${pid}`), '')
  await until('the click', () => clicked.length === 1)
  t.same(clicked, ['r-clickclickcl'])
  t.ok(
    lines.some((l) => /open the chat page at their room when clicked/.test(l.msg)),
    'the log says notes are clickable',
  )

  const oldDir = t.testdir()
  const old = recordingLog()
  const fallback = new OsNotifier(old.log, t.fail, { platform: 'linux', notifySend: fakeNotifySend(oldDir, '0.7.9') })
  fallback.show(note())
  fallback.show(note())
  // Both notes wait for the one probe, which logs before either goes on.
  await until('the probe to finish', () => old.lines.some((l) => /cannot be clicked/.test(l.msg)))
  t.equal(old.lines.filter((l) => /cannot be clicked/.test(l.msg)).length, 1, 'said once, not per note')
  t.equal(started(oldDir).length, 0, 'the old notify-send is not asked to wait')
})
