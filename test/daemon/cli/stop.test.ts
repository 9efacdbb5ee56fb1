/**
 * `sochat stop` is safe: it asks the daemon over its control socket and never signals, so a
 * stale sochatd.json naming an unrelated process leaves that process alone; each "nothing to
 * stop" case has one line and its own exit status; the daemon removes its pid file when it
 * exits (stop, SIGTERM). The stop route is refused on the page's TCP port. Daemons run from
 * source on loopback with mDNS off.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { runCli, STOP_EXIT } from '../../../daemon/cli/index.js'

const CLI = fileURLToPath(new URL('../../../daemon/cli.ts', import.meta.url))

type Tap = { teardown: (fn: () => unknown) => void }

async function dataDir(t: Tap): Promise<string> {
  // Short, so the unix socket's path fits (about 100 bytes); tap's testdir is too deep.
  const dir = await mkdtemp(join(tmpdir(), 'sochat-stop-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function sochat(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = []
  const { log } = console
  console.log = (...a: unknown[]) => void out.push(a.join(' '))
  try {
    return { code: await runCli(argv), out: out.join('\n') }
  } finally {
    console.log = log
  }
}

interface Started {
  child: ChildProcess
  exited: Promise<number | null>
  ui: string
}

/** `sochat start` in its own process; resolves once it has written sochatd.json. */
async function startDaemon(t: Tap, dir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['--import=tsx', CLI, 'start', '--no-mdns', '--data-dir', dir, '--ui-port', '0', '--peer-port', '0', '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  const deadline = Date.now() + 60_000
  while (!/SO-CHAT is running/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the daemon did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const { ui } = JSON.parse(await readFile(join(dir, 'sochatd.json'), 'utf8')) as { ui: string }
  return { child, exited, ui }
}

t.test('stop asks the daemon, waits for it to end, and the pid file goes with it; a second stop says so', async (t) => {
  const dir = await dataDir(t)
  const daemon = await startDaemon(t, dir)

  const overTcp = await fetch(`${daemon.ui}/api/v1/control/stop`, { method: 'POST' })
  t.equal(overTcp.status, 403, 'the page’s TCP port does not take a stop')
  t.match(((await overTcp.json()) as { error: { code: string } }).error.code, 'control_socket_only')
  t.equal((await fetch(`${daemon.ui}/api/v1/status`)).status, 200, 'and the daemon still runs')

  const stopped = await sochat('stop', '--data-dir', dir)
  t.equal(stopped.code, STOP_EXIT.stopped, 'exit 0')
  t.equal(stopped.out, `Stopped the SO-CHAT daemon (pid ${daemon.child.pid}).`, 'one line, naming the pid')
  t.equal(await daemon.exited, 0, 'the daemon process ended, cleanly')
  t.notOk(existsSync(join(dir, 'sochatd.json')), 'sochatd.json is gone')
  t.notOk(existsSync(join(dir, 'sochatd.sock')), 'and its socket')

  const again = await sochat('stop', '--data-dir', dir)
  t.equal(again.code, STOP_EXIT.notRunning, 'stopping twice: exit 4')
  t.equal(again.out, `Nothing to stop: the SO-CHAT daemon for ${dir} is not running.`, 'in one line, no ESRCH')
})

t.test('stop where nothing was ever started: one line, exit 3', async (t) => {
  const dir = join(await dataDir(t), 'never')
  const r = await sochat('stop', '--data-dir', dir)
  t.equal(r.code, STOP_EXIT.neverStarted)
  t.match(r.out, `Nothing to stop: there is no SO-CHAT data folder at ${dir}`)
  t.notMatch(r.out, /ENOENT/)
})

t.test('a stale pid file naming an unrelated process: that process survives, the file goes, exit 5', async (t) => {
  const dir = await dataDir(t)
  const bystander = spawn('sleep', ['30'], { stdio: 'ignore' })
  t.teardown(() => bystander.kill('SIGKILL'))
  const pid = bystander.pid!
  await writeFile(
    join(dir, 'sochatd.json'),
    JSON.stringify({ pid, ui: 'http://127.0.0.1:1', socket: join(dir, 'sochatd.sock'), nodeId: 'x' }),
  )

  // Every signal stop sends, recorded (it runs in this process): it must send none.
  const sent: unknown[] = []
  const kill = process.kill
  process.kill = ((target: number, signal?: string | number) => {
    sent.push([target, signal])
    return kill.call(process, target, signal)
  }) as typeof process.kill
  const r = await sochat('stop', '--data-dir', dir).finally(() => {
    process.kill = kill
  })
  t.equal(r.code, STOP_EXIT.staleFile, 'exit 5')
  t.match(r.out, /^Nothing to stop: no daemon answers for .* was stale .*removed it, and did not touch pid \d+\.$/, 'one line')
  t.notOk(existsSync(join(dir, 'sochatd.json')), 'the stale file is removed')
  t.same(sent, [], 'no signal was sent to anything')
  t.equal(bystander.exitCode, null, 'the unrelated process still runs')
  t.equal(bystander.signalCode, null)
  t.ok(kill.call(process, pid, 0), 'and the kernel agrees')
})

t.test('a daemon killed hard leaves its file and socket behind: stop calls them stale, exit 5', async (t) => {
  const dir = await dataDir(t)
  const daemon = await startDaemon(t, dir)
  daemon.child.kill('SIGKILL')
  await daemon.exited
  t.ok(existsSync(join(dir, 'sochatd.json')), 'a kill -9 leaves the pid file')
  const r = await sochat('stop', '--data-dir', dir)
  t.equal(r.code, STOP_EXIT.staleFile)
  t.notOk(existsSync(join(dir, 'sochatd.json')))
})

t.test('SIGTERM (a service manager stopping it) removes the pid file too', async (t) => {
  const dir = await dataDir(t)
  const daemon = await startDaemon(t, dir)
  daemon.child.kill('SIGTERM')
  t.equal(await daemon.exited, 0, 'a clean exit')
  t.notOk(existsSync(join(dir, 'sochatd.json')), 'no pid file left')
})
