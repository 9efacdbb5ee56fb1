/**
 * `sochat export` against a daemon on loopback (mDNS off): it logs in over the control socket
 * with the password from --password-file, writes the room's export (JSON or HTML) to --out, and
 * leaves nothing behind when refused (a wrong password, an unknown room). A missing --user or
 * a wrong --format is a usage error (exit 2).
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { runCli } from '../../../daemon/cli/index.js'
import { call, startLocalDaemon, waitFor } from '../http/local-daemon.js'

const PASSWORD = 'cli export of velvet lamps'
const CLI = fileURLToPath(new URL('../../../daemon/cli.ts', import.meta.url))

async function sochat(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const { log, error } = console
  console.log = (...a: unknown[]) => void out.push(a.join(' '))
  console.error = (...a: unknown[]) => void err.push(a.join(' '))
  try {
    return { code: await runCli(argv), out: out.join('\n'), err: err.join('\n') }
  } finally {
    console.log = log
    console.error = error
  }
}

t.test('sochat export', async (t) => {
  // Short, so the unix socket's path fits (about 100 bytes); tap's testdir is too deep.
  const dir = await mkdtemp(join(tmpdir(), 'sochat-export-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const daemon = await startLocalDaemon(t, join(dir, 'data'), 'solo')
  await waitFor('a relay', async () => (await call(daemon.ui, '/api/v1/status')).body.role === 'relay')
  t.equal((await call(daemon.ui, '/api/v1/accounts', { json: { username: 'alice', password: PASSWORD } })).status, 201)
  const token = (await call(daemon.ui, '/api/v1/sessions', { json: { username: 'alice', password: PASSWORD } })).body.token
  for (const text of ['one', 'two <b>', 'three']) await call(daemon.ui, '/api/v1/rooms/general/messages', { token, json: { text } })
  const passwordFile = join(dir, 'password')
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 })
  const out = join(dir, 'out')
  const base = ['export', '--data-dir', join(dir, 'data'), '--user', 'alice', '--password-file', passwordFile]

  await t.test('JSON to --out', async (t) => {
    const r = await sochat(...base, '--room', 'general', '--out', `${out}.json`)
    t.equal(r.code, 0, r.err)
    t.match(r.out, `Exported 3 message(s) to ${out}.json.`)
    const doc = JSON.parse(await readFile(`${out}.json`, 'utf8'))
    t.match(doc, { exportedBy: 'alice', messageCount: 3, rooms: [{ id: 'general' }] })
    t.same(
      doc.messages.map((m: { text: string }) => m.text),
      ['one', 'two <b>', 'three'],
    )
  })

  await t.test('HTML of everything', async (t) => {
    const r = await sochat(...base, '--format', 'html', '--out', `${out}.html`)
    t.equal(r.code, 0, r.err)
    const html = await readFile(`${out}.html`, 'utf8')
    t.ok(html.startsWith('<!doctype html>') && html.includes('two &lt;b&gt;'), 'the page, escaped')
  })

  await t.test('--out - to stdout, the password from stdin, in a process of its own', async (t) => {
    const child = execFile(process.execPath, ['--import=tsx', CLI, ...base.slice(0, -1), '-', '--room', 'general', '--out', '-'])
    child.stdin!.end(`${PASSWORD}\n`)
    let stdout = ''
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
    const code = await new Promise((resolve) => child.once('exit', resolve))
    t.equal(code, 0)
    t.same(
      JSON.parse(stdout).messages.map((m: { text: string }) => m.text),
      ['one', 'two <b>', 'three'],
      'the export, alone on stdout',
    )
  })

  await t.test('refusals leave no file', async (t) => {
    const before = await readdir(dir)
    const unknown = await sochat(...base, '--room', 'r-zzzzzzzzzzzz', '--out', `${out}-x.json`)
    t.equal(unknown.code, 1)
    t.match(unknown.err, /unknown_room/)
    await writeFile(passwordFile, 'not the password\n')
    const wrong = await sochat(...base, '--out', `${out}-y.json`)
    t.equal(wrong.code, 1)
    t.match(wrong.err, /wrong_credentials/)
    t.same(await readdir(dir), before, 'nothing written')
    t.notOk(existsSync(`${out}-x.json.part`))
  })

  await t.test('usage errors', async (t) => {
    t.equal((await sochat('export', '--data-dir', dir)).code, 2, 'no --user')
    t.equal((await sochat(...base, '--format', 'pdf')).code, 2, 'a wrong --format')
    const help = await sochat('export', '--help')
    t.match(help.out, /--password-file FILE/)
    t.match(help.out, /asks for the password at the terminal/)
  })
})
