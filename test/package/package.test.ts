/**
 * SO-CHAT as a user gets it: `npm pack` a copy of this checkout (prepack builds it from an
 * empty dist/), install the tarball into an empty prefix with --omit=dev and --engine-strict
 * (so a dependency needing a newer Node than the one running fails the install), then
 * `sochat --version`, `sochat-tray --help`, `sochat start --no-mdns` (the page answers, on
 * loopback only) and `sochat stop`. Dependencies come from the npm registry, as in CI after
 * `npm ci`; the test skips, saying so, only when the registry cannot be reached. Takes about
 * 1-2 minutes (most of it the clean build and the install; better-sqlite3's native part comes from
 * this checkout's own build, see prebuiltMirror).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createReadStream, existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises'
import { type AddressInfo, connect } from 'node:net'
import { createServer } from 'node:http'
import { networkInterfaces, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const run = promisify(execFile)
const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }

/** npm's own variables (set when this runs under `npm test`) would steer the nested npm. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')))

async function registryUnreachable(): Promise<string | false> {
  try {
    await run('npm', ['ping'], { env, timeout: 30_000 })
    return false
  } catch (err) {
    return `the npm registry cannot be reached (npm ping: ${String((err as { stderr?: string }).stderr ?? err)
      .trim()
      .split('\n')
      .pop()}); the package test needs it for the dependencies`
  }
}

const unreachable = await registryUnreachable()

t.test('pack, install into an empty prefix without dev dependencies, start, stop', { skip: unreachable, timeout: 1_200_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'sochat-pkg-'))
  t.teardown(() => rm(work, { recursive: true, force: true }))

  // A copy: the clean build of prepack must not empty this checkout's dist/ under other tests.
  const src = join(work, 'src')
  const { stdout: listed } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
  for (const file of listed.split('\0').filter((f) => f && existsSync(join(ROOT, f)))) {
    await mkdir(dirname(join(src, file)), { recursive: true })
    await cp(join(ROOT, file), join(src, file))
  }
  await symlink(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir')
  const packed = await run('npm', ['pack', '--pack-destination', work], { cwd: src, env, timeout: 240_000 })
  const tarball = join(work, packed.stdout.trim().split('\n').pop()!)

  const { stdout: contents } = await run('tar', ['tzf', tarball])
  const files = contents.trim().split('\n')
  for (const f of [
    'package/package.json',
    'package/README.md',
    'package/LICENSE',
    'package/dist/daemon/cli.js',
    'package/dist/tray/cli.js',
    'package/dist/web-ui/index.html',
    'package/dist/web-ui/emoji.json',
    'package/dist/tray/icons/client-5-on.png',
  ])
    t.ok(files.includes(f), `ships ${f}`)
  t.same(
    files.filter(
      (f) =>
        !/^package\/(dist\/(daemon|shared|tray|web-ui)\/.*\.(js|html|css)|dist\/web-ui\/emoji\.json|dist\/tray\/icons\/[a-z]+-(0|[1-9][0-9]?|99\+)-(on|dnd)\.png|scripts\/build(-if-stale)?\.mjs|package\.json|README\.md|LICENSE)$/.test(
          f,
        ),
    ),
    [],
    "ships only what runs (no sources, tests, maps; the page's emoji data, the tray's icons drawn at build time), and the build scripts `prepare` names",
  )

  const prefix = join(work, 'prefix')
  await mkdir(prefix)
  // better-sqlite3 (daemon/search) downloads a prebuilt binary from GitHub, or compiles SQLite
  // (minutes) when it cannot, as here: the registry is reachable, GitHub is not. The binary this
  // checkout's `npm ci` built is offered instead, from loopback, under the name prebuild-install
  // asks for (a different version asked for gets 404, and compiles).
  const mirror = await prebuiltMirror(work, t)
  await run('npm', ['install', '-g', '--omit=dev', '--engine-strict', '--no-audit', '--no-fund', '--prefix', prefix, tarball], {
    env: { ...env, npm_config_better_sqlite3_binary_host: mirror.url },
    timeout: 900_000,
  })
  t.comment(`better-sqlite3's native part: ${mirror.served() ? "this checkout's build" : 'compiled during the install'}`)
  const bin = (name: string) => join(prefix, 'bin', name)
  t.equal((await run(bin('sochat'), ['--version'], { env })).stdout, `${version}\n`, 'sochat --version')
  t.match((await run(bin('sochat-tray'), ['--help'], { env })).stdout, /^Usage: sochat-tray/, 'sochat-tray --help starts')
  const installed = await readdir(join(prefix, 'lib', 'node_modules', 'sochat', 'node_modules'))
  t.notOk(installed.includes('typescript') || installed.includes('tap'), 'no dev dependencies installed')

  const data = await mkdtemp(join(tmpdir(), 'sochat-pkg-data-'))
  t.teardown(() => rm(data, { recursive: true, force: true }))
  const daemon = spawn(bin('sochat'), ['start', '--no-mdns', '--data-dir', data, '--ui-port', '0', '--peer-port', '0'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  t.teardown(() => void (daemon.exitCode === null && daemon.kill('SIGKILL')))
  const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve))
  const ui = await addressFrom(daemon)
  t.match(ui, /^http:\/\/127\.0\.0\.1:\d+$/, 'the page is on loopback')
  const page = await fetch(ui)
  t.equal(page.status, 200, 'the page answers')
  t.match(await page.text(), /<html/i, 'with the chat page')
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address
  if (lan) t.equal(await refused(lan, Number(new URL(ui).port)), true, `and not on this machine's LAN address ${lan}`)
  else t.comment('no LAN address on this machine: loopback-only checked by the address alone')

  const stop = await run(bin('sochat'), ['stop', '--data-dir', data], { env, timeout: 60_000 })
  t.match(stop.stdout, /^Stopped the SO-CHAT daemon \(pid \d+\)\.\n$/, 'sochat stop')
  t.equal(await exited, 0, 'the daemon ended cleanly')
  t.notOk(existsSync(join(data, 'sochatd.json')), 'and removed its pid file')
})

/**
 * A loopback HTTP server laid out as prebuild-install's mirror (`<host>/v<version>/<name>`),
 * offering this checkout's own build of better-sqlite3 for this Node, platform and arch.
 */
async function prebuiltMirror(work: string, t: Test): Promise<{ url: string; available: boolean; served: () => boolean }> {
  const pkgDir = join(ROOT, 'node_modules', 'better-sqlite3')
  const { version: sqliteVersion } = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string }
  const name = `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  const archive = join(work, name)
  const available = existsSync(join(pkgDir, 'build', 'Release', 'better_sqlite3.node'))
  if (available) await run('tar', ['czf', archive, '-C', pkgDir, 'build/Release/better_sqlite3.node'])
  let served = false
  const server = createServer((req, res) => {
    if (available && req.url === `/v${sqliteVersion}/${name}`) {
      served = true
      res.writeHead(200, { 'content-type': 'application/gzip' })
      createReadStream(archive).pipe(res)
    } else {
      t.comment(`prebuilt mirror: no ${req.url}; better-sqlite3 compiles`)
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, available, served: () => served }
}

/** The address from the "SO-CHAT is running" line (stderr, as stdout is not a terminal). */
function addressFrom(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString()
      const m = /Open (http:\/\/\S+) in your browser/.exec(stderr)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`sochat start ended (${code}) before it ran: ${stderr}`)))
  })
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}
