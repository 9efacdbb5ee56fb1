/**
 * Installing and uninstalling the service in a temporary home (or --root): what install
 * writes, uninstall removes, to the last folder; installing twice is the same as once; the
 * service manager commands are attempted through a recording runner, and their failure is a
 * note, not a failed install. No test runs systemctl, launchctl or schtasks or touches the
 * real home or /etc.
 */
import t from 'tap'
import { lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { InputError } from '../../../daemon/errors/index.js'
import { runServiceCommand } from '../../../daemon/service/command.js'
import {
  installService,
  planInstall,
  uninstallService,
  ServiceFileError,
  type CommandRunner,
  type ServiceOptions,
} from '../../../daemon/service/index.js'

type T = { testdir: () => string }

/**
 * An empty home in the test's own folder, and a checkout whose daemon is "built" beside it
 * (the installer refuses to point a unit at nothing).
 */
async function setup(t: T, extra: ServiceOptions = {}): Promise<{ dir: string; home: string; options: ServiceOptions }> {
  const dir = t.testdir()
  const packageRoot = join(dir, 'package')
  await mkdir(join(packageRoot, 'dist', 'daemon'), { recursive: true })
  await writeFile(join(packageRoot, 'dist', 'daemon', 'cli.js'), '')
  const home = join(dir, 'home')
  await mkdir(home)
  return { dir, home, options: { platform: 'linux', home, env: {}, uid: 501, nodePath: process.execPath, packageRoot, ...extra } }
}

/** Records every command; `failing` decides which fail and with what message. */
function recorder(failing: (command: string) => string | undefined = () => undefined): CommandRunner & { commands: string[] } {
  const commands: string[] = []
  return {
    commands,
    async run(cmd, args) {
      const command = [cmd, ...args].join(' ')
      commands.push(command)
      const stderr = failing(command)
      return stderr === undefined ? { code: 0, stderr: '' } : { code: 1, stderr }
    },
  }
}

/** Every path under dir, folders and links included, relative and sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.map((e) => relative(dir, join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : '')).sort()
}

t.test('install then uninstall in a fresh home leaves nothing behind', async (t) => {
  const { home, options } = await setup(t)
  const runner = recorder()
  const report = await installService(planInstall(options), runner)
  t.same(
    await tree(home),
    [
      '.config/',
      '.config/autostart/',
      '.config/autostart/sochat-tray.desktop',
      '.config/systemd/',
      '.config/systemd/user/',
      '.config/systemd/user/default.target.wants/',
      '.config/systemd/user/default.target.wants/sochat.service',
      '.config/systemd/user/sochat.service',
    ],
    'the unit, its enabling link and the tray entry',
  )
  t.equal(await readlink(join(home, '.config/systemd/user/default.target.wants/sochat.service')), '../sochat.service')
  t.equal((await stat(join(home, '.config/systemd/user/sochat.service'))).mode & 0o777, 0o644, 'the unit is 0644')
  t.same(
    runner.commands,
    ['systemctl --user daemon-reload', 'systemctl --user restart sochat.service'],
    'systemd is told and the daemon (re)started',
  )
  t.same(report.ran, runner.commands)

  const stopped = recorder()
  const undone = await uninstallService(options, stopped)
  t.same(await tree(home), [], 'uninstall removes every file, link and the folders it made')
  t.same(
    stopped.commands,
    ['systemctl --user stop sochat.service', 'systemctl --user daemon-reload'],
    'stopped before removing, forgotten after',
  )
  t.equal(undone.changed.length, 3, 'it removed the unit, the link and the tray entry')
})

t.test('installing twice gives the same files as installing once', async (t) => {
  const { home, options } = await setup(t, { dataDir: '/srv/chat', name: 'Lab PC' })
  await installService(planInstall(options), recorder())
  const once = await snapshot(home)
  await installService(planInstall(options), recorder())
  t.same(await snapshot(home), once, 'same paths, contents and link')
  await uninstallService(options, recorder())
  t.same(await tree(home), [])
})

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const path of await tree(dir)) {
    const full = join(dir, path)
    const info = await lstat(full)
    out[path] = info.isSymbolicLink() ? `-> ${await readlink(full)}` : info.isFile() ? await readFile(full, 'utf8') : 'dir'
  }
  return out
}

t.test('uninstall keeps what it did not write', async (t) => {
  const { home, options } = await setup(t)
  await mkdir(join(home, '.config', 'autostart'), { recursive: true })
  await writeFile(join(home, '.config', 'autostart', 'other.desktop'), '[Desktop Entry]\n')
  await installService(planInstall(options), recorder())
  await uninstallService(options, recorder())
  t.same(
    await tree(home),
    ['.config/', '.config/autostart/', '.config/autostart/other.desktop'],
    'another autostart entry and its folders stay',
  )
  const again = await uninstallService(options, recorder())
  t.match(again.notes, [/nothing to remove/], 'uninstalling again is safe and says so')
})

t.test('a service manager that fails does not fail the install: it becomes a note', async (t) => {
  const { home, options } = await setup(t)
  const runner = recorder((c) => (c.includes('daemon-reload') ? 'Failed to connect to bus: No medium found' : undefined))
  const report = await installService(planInstall(options), runner)
  t.ok((await tree(home)).includes('.config/systemd/user/sochat.service'), 'the unit is written')
  t.same(runner.commands, ['systemctl --user daemon-reload'], 'no restart is tried after the reload failed')
  t.equal(
    report.notes.at(-1),
    'Wrote the unit, but systemctl --user could not start it: Failed to connect to bus: No medium found; it starts at your next log-in, or start it now with: systemctl --user daemon-reload && systemctl --user restart sochat',
  )
})

t.test('--no-start writes the files and runs nothing', async (t) => {
  const { home, options } = await setup(t, { noStart: true })
  const runner = recorder()
  const report = await installService(planInstall(options), runner)
  t.equal((await tree(home)).length, 8)
  t.same(runner.commands, [], 'no command ran')
  t.match(report.notes, [/^Not started \(--no-start\)/])
  await uninstallService(options, runner)
  t.same(runner.commands, [], 'nor on uninstall')
  t.same(await tree(home), [])
})

t.test('--system installs into /etc (here a temporary --root) as a system unit for one account', async (t) => {
  const { dir, home, options } = await setup(t)
  const root = join(dir, 'root')
  await mkdir(root)
  const system = { ...options, system: true, user: 'alice', root }
  const runner = recorder()
  await installService(planInstall(system), runner)
  t.same(await tree(root), [
    'etc/',
    'etc/systemd/',
    'etc/systemd/system/',
    'etc/systemd/system/multi-user.target.wants/',
    'etc/systemd/system/multi-user.target.wants/sochat.service',
    'etc/systemd/system/sochat.service',
    'etc/xdg/',
    'etc/xdg/autostart/',
    'etc/xdg/autostart/sochat-tray.desktop',
  ])
  t.match(await readFile(join(root, 'etc/systemd/system/sochat.service'), 'utf8'), /^User=alice$/m)
  t.same(runner.commands, ['systemctl daemon-reload', 'systemctl restart sochat.service'])
  t.same(await tree(home), [], 'nothing in the home')
  await uninstallService(system, recorder())
  t.same(await tree(root), [], 'uninstall empties the root again')
})

t.test('macOS: two agents and their log folder, all gone after uninstall', async (t) => {
  const { home, options } = await setup(t, { platform: 'darwin' })
  const runner = recorder((c) => (c.includes('bootout') ? 'Boot-out failed: 3: No such process' : undefined))
  const report = await installService(planInstall(options), runner)
  t.same(await tree(home), [
    'Library/',
    'Library/LaunchAgents/',
    'Library/LaunchAgents/net.sochat.daemon.plist',
    'Library/LaunchAgents/net.sochat.tray.plist',
    'Library/Logs/',
    'Library/Logs/sochat/',
  ])
  t.equal(runner.commands.filter((c) => c.startsWith('launchctl bootstrap gui/501 ')).length, 2, 'both agents are loaded')
  t.notMatch(report.notes.join('\n'), /launchctl/, 'an agent that was not loaded before is no failure')
  await uninstallService(options, recorder())
  t.same(await tree(home), [])
})

t.test('--dry-run prints every path, file and command and writes nothing', async (t) => {
  const { home, options } = await setup(t)
  const runner = recorder()
  const printed: string[] = []
  const out = (text: string): void => void printed.push(text)
  t.equal(await runServiceCommand('install', ['--dry-run', '--name', 'Lab PC'], { out, runner, defaults: options }), 0)
  const text = printed.join('\n')
  const plan = planInstall(options)
  for (const file of plan.files) t.ok(text.includes(`--- file ${file.path}`), `names ${file.path}`)
  t.ok(text.includes(`--- symlink ${plan.links[0]!.path} -> ../sochat.service`), 'names the link')
  t.match(text, /"--name" "Lab PC"/, 'shows the unit as it would be written')
  t.match(text, /systemctl --user restart sochat\.service/, 'shows the commands')
  t.same(await tree(home), [], 'wrote nothing')
  t.same(runner.commands, [], 'ran nothing')
  printed.length = 0
  await runServiceCommand('uninstall', ['--dry-run'], { out, runner, defaults: options })
  t.match(printed.join('\n'), /systemctl --user stop sochat\.service[\s\S]*sochat-tray\.desktop/, 'the uninstall plan too')
})

t.test('the CLI installs and uninstalls with the same flags', async (t) => {
  const { home, options } = await setup(t)
  const printed: string[] = []
  const io = { out: (text: string) => void printed.push(text), runner: recorder(), defaults: options }
  await runServiceCommand('install', ['--ui-port', '48000'], io)
  t.match(printed.join('\n'), /^Installed the SO-CHAT service \(systemd user unit\):\n {2}wrote /)
  t.match(await readFile(join(home, '.config/systemd/user/sochat.service'), 'utf8'), /"--ui-port" "48000"/)
  await runServiceCommand('uninstall', [], io)
  t.same(await tree(home), [])
})

t.test('bad flags are refused with what to do, before anything is written', async (t) => {
  const { home, options } = await setup(t)
  const refusal = async (args: string[], extra: ServiceOptions = {}): Promise<string> => {
    try {
      await runServiceCommand('install', args, { out: () => {}, runner: recorder(), defaults: { ...options, ...extra } })
      return 'accepted'
    } catch (err) {
      return err instanceof InputError ? err.message : `unexpected ${String(err)}`
    }
  }
  t.match(await refusal(['--ui-port', '70000']), /--ui-port must be a port number \(0-65535\), not "70000"/)
  t.match(await refusal(['--peer-port', 'http']), /--peer-port must be a port number/)
  t.match(await refusal(['--network', 'my network']), /--network is 1-63 letters/)
  t.match(await refusal(['--name', 'two\nlines']), /--name must be 1-63 characters without line breaks/)
  t.match(await refusal(['--user', 'alice']), /--user only goes with --system/)
  t.match(await refusal(['--system', '--user', 'alice; rm']), /--user must be the name of an account/)
  t.match(await refusal(['--system', '--platform', 'darwin']), /--system is for Linux/)
  t.match(await refusal(['--platform', 'aix']), /not on "aix"/)
  t.match(await refusal(['--frobnicate']), /Unknown option '--frobnicate'[\s\S]*Usage:/)
  t.same(await tree(home), [], 'nothing was written')
})

t.test('a daemon that is not built is not installed', async (t) => {
  const { dir, home, options } = await setup(t)
  const plan = planInstall({ ...options, packageRoot: join(dir, 'nowhere') })
  await t.rejects(
    installService(plan, recorder()),
    new ServiceFileError(`${plan.daemonEntry} does not exist: build SO-CHAT first (npm run build), then install the service again.`),
  )
  t.same(await tree(home), [])
})

t.test('--network-key-file: the key is kept in the data folder (0600) and the file given may go', async (t) => {
  const { dir, options } = await setup(t)
  const dataDir = join(dir, 'data')
  const keyFile = join(dir, 'office-key')
  const line = `sochat-key-1.${Buffer.alloc(32, 7).toString('base64url')}`
  await writeFile(keyFile, `${line}\n`, { mode: 0o644 })
  const printed: string[] = []
  const io = { out: (text: string) => printed.push(text), runner: recorder(), defaults: options }

  await runServiceCommand('install', ['--dry-run', '--data-dir', dataDir, '--network-key-file', keyFile], io)
  t.match(printed.join('\n'), /network key [0-9a-f]{16} is kept in/, 'the dry run says where the key will be kept')
  t.notMatch(printed.join('\n'), line.slice(13), 'and never prints the key itself')
  await t.rejects(stat(join(dataDir, 'network-key')), 'nothing written by a dry run')

  await runServiceCommand('install', ['--data-dir', dataDir, '--network-key-file', keyFile], io)
  const kept = join(dataDir, 'network-key')
  t.equal((await readFile(kept, 'utf8')).trim(), line, 'the same key, in the data folder')
  t.equal((await stat(kept)).mode & 0o777, 0o600, 'readable by its owner only')
  const unit = await readFile(join(options.home!, '.config/systemd/user/sochat.service'), 'utf8')
  t.notMatch(unit, '"--network-key-file"', 'the unit does not need the file given')
})

t.test('--network-key-file with a file that holds no key: refused before anything is written', async (t) => {
  const { dir, home, options } = await setup(t)
  const keyFile = join(dir, 'not-a-key')
  await writeFile(keyFile, 'hello\n')
  const io = { out: () => undefined, runner: recorder(), defaults: options }
  await t.rejects(runServiceCommand('install', ['--network-key-file', keyFile], io), { code: 'network_key_invalid' })
  t.same(await tree(home), [], 'no unit, no autostart entry')
})

t.test('--network-key-file with --system: the unit reads the file at each start', async (t) => {
  const { dir, options } = await setup(t, { system: true, user: 'sochat', root: '' })
  const keyFile = join(dir, 'office-key')
  await writeFile(keyFile, `sochat-key-1.${Buffer.alloc(32, 9).toString('base64url')}\n`)
  const plan = planInstall({ ...options, root: join(dir, 'root'), networkKeyFile: keyFile })
  const unit = plan.files.find((f) => f.path.endsWith('sochat.service'))
  t.match(unit?.contents, `"--network-key-file" "${keyFile}"`, 'passed to sochat start')
})

t.test('every `sochat start` flag given to install-service reaches the unit, checked and in order', async (t) => {
  const { home, options } = await setup(t)
  const io = { out: () => undefined, runner: recorder(), defaults: options }
  const flags = [
    ['--ui-port', '48000'],
    ['--peer-port', '48001'],
    ['--interface', 'eth0'],
    ['--network', 'lab'],
    ['--name', 'Lab PC'],
    ['--max-file-mib', '64'],
    ['--peer', '10.0.0.2:47801'],
    ['--peer', '[fe80::1]:47801'],
    ['--no-mdns'],
    ['--log-level', 'debug'],
    ['--open'],
  ]
  t.equal(await runServiceCommand('install', flags.flat(), io), 0)
  const unit = await readFile(join(home, '.config/systemd/user/sochat.service'), 'utf8')
  const execStart = unit.split('\n').find((l) => l.startsWith('ExecStart='))!
  for (const flag of flags) t.match(execStart, flag.map((w) => `"${w}"`).join(' '), `${flag.join(' ')} is passed on`)
})

t.test('from a git clone: refused with the reason and what to do, unless --from-clone', async (t) => {
  const { dir, home, options } = await setup(t)
  await mkdir(join(dir, 'package', '.git'))
  const io = { out: () => undefined, runner: recorder(), defaults: options }
  await t.rejects(runServiceCommand('install', [], io), {
    message:
      /runs from a git clone \(.*package\); a service pointing into it breaks when the clone moves or is rebuilt\. Install SO-CHAT first .*npm install -g .*--from-clone/,
  })
  await t.rejects(runServiceCommand('install', ['--dry-run'], io), { message: /git clone/ }, 'a dry run says so too')
  t.same(await tree(home), [], 'nothing written')
  t.equal(await runServiceCommand('install', ['--from-clone'], io), 0, '--from-clone installs anyway')
  t.match(await readFile(join(home, '.config/systemd/user/sochat.service'), 'utf8'), `${join(dir, 'package')}/dist/daemon/cli.js`)
  t.equal(await runServiceCommand('uninstall', [], io), 0, 'uninstalling needs no flag')
  t.same(await tree(home), [])
})
