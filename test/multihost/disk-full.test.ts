/**
 * A full disk, for real (issue 16): a lone daemon (the relay of itself, --no-mdns, loopback)
 * whose data folder is a 40 MiB tmpfs, nearly filled by a filler file. Posting goes on until
 * the daemon refuses with 507 disk_full in words; reads still answer and status says full;
 * the filler is deleted and, without a restart, posting and log-in work again; every message
 * that was acknowledged (201 sent, or 202 pending: in the outbox) is in the log exactly once.
 *
 * Needs root (mount); runs in the fleet pass, one test at a time (scripts/run-tests.mjs).
 * Built code (dist/): `npm run build` first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import type { Message, Status } from '../../shared/index.js'
import { CLI_PATH, sleep } from './harness.js'

const run = promisify(execFile)
const MIB = 1024 * 1024
/** Left free by the filler: room for a few hundred messages, and for LevelDB's 4 MiB memtable flushes. */
const LEFT_FREE = 30 * MIB
/** Random, so LevelDB's compression cannot shrink it: the disk fills as it would with real text and files. */
const TEXT_BYTES = 12_000
const MAX_POSTS = 3000
const PASSWORD = 'lamp orbit velvet canyon'

interface Answer {
  status: number
  body: { error?: { code: string; message: string }; message?: Message; token?: string; [k: string]: unknown }
}

const isRoot = process.getuid?.() === 0

t.test(
  'a full disk: refused in words, reads go on, recovers without a restart, nothing lost',
  { skip: isRoot ? false : 'needs root to mount a tmpfs (CI runs as root)' },
  async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'sochat-diskfull-'))
    const mnt = join(work, 'mnt')
    await mkdir(mnt)
    let daemon: ChildProcess | null = null
    // One teardown, in order, even after a failure: the daemon stops, the tmpfs goes (lazily if still busy), then the folder.
    t.teardown(async () => {
      if (daemon) await stop(daemon)
      await run('umount', [mnt]).catch(() => run('umount', ['-l', mnt]))
      await rm(work, { recursive: true, force: true })
    })
    await run('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mnt])
    const data = join(mnt, 'data')
    const logFile = join(work, 'daemon.log') // off the tmpfs, so the log can always be written
    daemon = await start(data, logFile)
    const ui = await uiOf(data)
    const api = apiOf(ui)

    t.equal((await api('POST', '/api/v1/accounts', { username: 'filler', password: PASSWORD })).status, 201, 'signed up')
    const token = (await api('POST', '/api/v1/sessions', { username: 'filler', password: PASSWORD })).body.token as string
    const as = (method: string, path: string, body?: unknown) => api(method, path, body, token)

    const fs = await statfs(mnt)
    await fill(join(mnt, 'filler'), fs.bavail * fs.bsize - LEFT_FREE)
    const acknowledged: string[] = []
    let refusal: Answer | null = null
    for (let i = 0; i < MAX_POSTS && !refusal; i++) {
      const r = await as('POST', '/api/v1/rooms/general/messages', { text: `${i} ${randomBytes((TEXT_BYTES * 3) / 4).toString('base64')}` })
      if (r.status === 201 || r.status === 202) acknowledged.push(r.body.message!.id)
      else refusal = r
    }
    t.comment(`${acknowledged.length} messages acknowledged before the disk filled`)
    t.ok(acknowledged.length > 50, 'many messages went in first')
    t.equal(refusal?.status, 507, 'then a post is refused with 507')
    t.equal(refusal?.body.error?.code, 'disk_full', 'disk_full')
    t.match(refusal?.body.error?.message, /disk is full.*Nothing already saved is lost.*Free some space/s, 'in words that say what to do')

    const history = await as('GET', '/api/v1/rooms/general/messages?limit=5')
    t.equal(history.status, 200, 'history is read while full')
    const search = await as('GET', '/api/v1/search?q=x')
    t.equal(search.status, 200, 'search answers while full')
    const full = (await api('GET', '/api/v1/status')).body as unknown as Status
    t.equal(full.disk.full, true, 'status says the disk is full')
    const login = await api('POST', '/api/v1/sessions', { username: 'filler', password: PASSWORD })
    t.match(login, { status: 507, body: { error: { code: 'disk_full' } } }, 'a log-in, which stores a session, is refused in words too')

    await rm(join(mnt, 'filler'))
    const recovered = await until(async () => ((await api('GET', '/api/v1/status')).body as unknown as Status).disk.full === false, 30_000)
    t.ok(recovered, 'status says the disk has space again, without a restart')
    const after = await as('POST', '/api/v1/rooms/general/messages', { text: 'after' })
    t.equal(after.status, 201, 'posting works again')
    acknowledged.push(after.body.message!.id)
    t.match(
      await api('POST', '/api/v1/sessions', { username: 'filler', password: PASSWORD }),
      { status: 201, body: { token: String } },
      'log-in works again',
    )
    t.ok(
      await until(async () => ((await as('GET', '/api/v1/outbox')).body.pending as unknown[]).length === 0, 30_000),
      'the outbox empties',
    )

    const ids = await allMessageIds(as)
    const missing = acknowledged.filter((id) => !ids.includes(id))
    t.same(missing, [], 'every acknowledged message is in the log')
    t.equal(new Set(ids).size, ids.length, 'each exactly once')
    const log = await readFile(logFile, 'utf8')
    t.match(log, /the disk is full: writes are refused/, 'the daemon logged the disk filling')
    t.match(log, /the disk has space again/, 'and its recovery')
    t.comment(
      /opened again to clear the error/.test(log)
        ? 'LevelDB’s error was sticky: the store was reopened'
        : 'LevelDB’s error was not sticky this time: no reopen was needed',
    )
    t.equal(daemon.exitCode, null, 'the daemon never stopped')
  },
)

async function start(data: string, logFile: string): Promise<ChildProcess> {
  const out = createWriteStream(logFile)
  await new Promise((resolve) => out.once('open', resolve))
  const args = ['start', '--no-mdns', '--data-dir', data, '--ui-port', '0', '--peer-port', '0', '--log-level', 'info']
  return spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', out, out] })
}

async function stop(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return
  const exited = new Promise((resolve) => daemon.once('exit', resolve))
  daemon.kill('SIGTERM')
  const killed = setTimeout(() => daemon.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(killed)
}

/** The page's address, from the pid file the daemon writes once it listens. */
async function uiOf(data: string): Promise<string> {
  let ui: string | null = null
  await until(async () => {
    ui = (JSON.parse(await readFile(join(data, 'sochatd.json'), 'utf8')) as { ui?: string }).ui ?? null
    return ui !== null
  }, 30_000)
  if (!ui) throw new Error('the daemon did not start within 30 s')
  return ui
}

function apiOf(ui: string) {
  return async (method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
    const headers: Record<string, string> = {}
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (token) headers.authorization = `Bearer ${token}`
    const res = await fetch(ui + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Answer['body']) }
  }
}

/** Every message id of `general`, paging back from the newest. */
async function allMessageIds(as: (m: string, p: string) => Promise<Answer>): Promise<string[]> {
  const ids: string[] = []
  for (let before = ''; ; ) {
    const page = (await as('GET', `/api/v1/rooms/general/messages?limit=500${before}`)).body.messages as Message[]
    ids.unshift(...page.map((m) => m.id))
    if (page.length < 500) return ids
    before = `&before=${page[0]!.seq}`
  }
}

/** Writes `bytes` of zeros (a tmpfs takes them at once). */
async function fill(path: string, bytes: number): Promise<void> {
  await writeFile(path, Buffer.alloc(Math.max(0, Math.floor(bytes))))
}

/** Asks `check` every 200 ms until it holds or `ms` pass; errors count as "not yet" (the daemon may be starting). */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check().catch(() => false)) return true
    await sleep(200)
  }
  return false
}
