/**
 * The service files, as the service managers read them: the systemd units pass
 * `systemd-analyze verify`, the launchd agents are property lists with the right keys, the
 * Task Scheduler tasks are well-formed UTF-16 XML, the tray's autostart entry quotes its
 * command. Everything is rendered for made-up homes; nothing is installed.
 */
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planInstall, type PlannedFile, type ServiceOptions } from '../../../daemon/service/index.js'
import { commandLine } from '../../../daemon/service/windows.js'

/** A data folder with every character the unit formats treat specially. */
const AWKWARD_DIR = '/srv/so chat/%h $HOME "quoted" back\\slash'

function linux(home: string, extra: ServiceOptions = {}): ServiceOptions {
  return { platform: 'linux', home, env: {}, nodePath: process.execPath, packageRoot: '/opt/sochat', ...extra }
}

function fileNamed(files: PlannedFile[], suffix: string): PlannedFile {
  const file = files.find((f) => f.path.endsWith(suffix))
  if (!file) throw new Error(`no planned file ends with ${suffix}`)
  return file
}

function has(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0
}

/** Runs python3 on a file and returns what the script printed as JSON. */
function python(script: string, file: string): unknown {
  const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

const NO_SYSTEMD = has('systemd-analyze') ? false : 'systemd-analyze is not installed (apt-get install systemd); CI installs it'
const NO_PYTHON = has('python3') ? false : 'python3 is not installed (apt-get install python3); CI installs it'

t.test('the systemd units pass systemd-analyze verify', { skip: NO_SYSTEMD }, async (t) => {
  const dir = t.testdir()
  const home = join(dir, 'home')
  // Short, under /tmp: the user manager puts socket paths in it, and they have a length limit.
  const runtime = mkdtempSync(join(tmpdir(), 'sochat-run-'))
  t.teardown(() => rmSync(runtime, { recursive: true, force: true }))
  // ExecStart's program must exist for verify: the unit runs this very node.
  const opts = { dataDir: AWKWARD_DIR, name: 'Lab PC', network: 'office-2', uiPort: '48000', peerPort: '48001', interface: 'eth0' }
  const units = [
    { what: 'user unit', args: ['--user'], plan: planInstall(linux(home, opts)) },
    { what: 'system unit', args: [], plan: planInstall(linux(home, { ...opts, system: true, user: 'alice', root: join(dir, 'root') })) },
  ]
  for (const { what, args, plan } of units) {
    const unit = fileNamed(plan.files, 'sochat.service')
    // verify reads the unit from its own folder; the name must stay sochat.service.
    const folder = join(dir, what.replace(' ', '-'))
    mkdirSync(folder)
    writeFileSync(join(folder, 'sochat.service'), unit.contents)
    // The user manager wants a runtime folder even to verify (without one, "Failed to lookup
    // RuntimeDirectory path"), so it gets a private one; a system verify runs as is, no PID 1
    // systemd needed. Warnings (a bad key, an unresolved %specifier) go to stderr with status 0,
    // so none may name our unit; other units installed on the machine may warn about themselves.
    const result = spawnSync('systemd-analyze', [...args, 'verify', '--man=no', join(folder, 'sochat.service')], {
      encoding: 'utf8',
      env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime },
    })
    t.comment(
      `systemd-analyze ${[...args, 'verify'].join(' ')} (${what}): status ${result.status}, output ${JSON.stringify(result.stdout + result.stderr)}`,
    )
    t.equal(result.status, 0, `the ${what} verifies`)
    t.same(
      result.stderr.split('\n').filter((line) => line.includes('sochat')),
      [],
      `the ${what} gives no warning`,
    )
  }
})

t.test('the user unit restarts on failure, starts with the user manager, and quotes for systemd', async (t) => {
  const plan = planInstall(linux('/home/ada', { dataDir: AWKWARD_DIR }))
  const unit = fileNamed(plan.files, 'sochat.service')
  t.equal(unit.path, '/home/ada/.config/systemd/user/sochat.service')
  const lines = unit.contents.split('\n')
  for (const line of ['Type=simple', 'Restart=on-failure', 'RestartSec=2', 'WantedBy=default.target']) t.ok(lines.includes(line), line)
  t.notOk(
    lines.some((l) => l.startsWith('User=')),
    'a user unit names no user',
  )
  t.ok(
    lines.includes(
      `ExecStart="${process.execPath}" "/opt/sochat/dist/daemon/cli.js" "start" "--data-dir" "/srv/so chat/%%h $$HOME \\"quoted\\" back\\\\slash"`,
    ),
    '% is doubled, $ is $$, quote and backslash are escaped',
  )
  t.same(
    plan.links,
    [{ path: '/home/ada/.config/systemd/user/default.target.wants/sochat.service', target: '../sochat.service' }],
    'enabled like systemctl --user enable',
  )
  const xdg = planInstall(linux('/home/ada', { env: { XDG_CONFIG_HOME: '/cfg/ada' } }))
  t.equal(xdg.files[0]!.path, '/cfg/ada/systemd/user/sochat.service', '$XDG_CONFIG_HOME is honoured')
})

t.test('the system unit runs as one account after the network is up', async (t) => {
  const plan = planInstall(linux('/root', { system: true, env: { SUDO_USER: 'bob' } }))
  const unit = fileNamed(plan.files, 'sochat.service')
  t.equal(unit.path, '/etc/systemd/system/sochat.service')
  const lines = unit.contents.split('\n')
  for (const line of ['User=bob', 'WantedBy=multi-user.target', 'After=network-online.target', 'Restart=on-failure'])
    t.ok(lines.includes(line), line)
  t.equal(plan.links[0]!.path, '/etc/systemd/system/multi-user.target.wants/sochat.service')
  t.equal(fileNamed(plan.files, '.desktop').path, '/etc/xdg/autostart/sochat-tray.desktop', 'the tray starts in every desktop session')
  t.equal(
    fileNamed(planInstall(linux('/root', { system: true, user: 'carol', env: { SUDO_USER: 'bob' } })).files, '.service').contents.includes(
      'User=carol\n',
    ),
    true,
    '--user wins over SUDO_USER',
  )
})

t.test('the tray starts with the desktop session, its command quoted for the desktop entry spec', async (t) => {
  const entry = fileNamed(planInstall(linux('/home/ada', { dataDir: AWKWARD_DIR })).files, '.desktop')
  t.equal(entry.path, '/home/ada/.config/autostart/sochat-tray.desktop')
  const lines = entry.contents.split('\n')
  for (const line of ['[Desktop Entry]', 'Type=Application', 'NoDisplay=true', 'X-GNOME-Autostart-enabled=true'])
    t.ok(lines.includes(line), line)
  // Exec quoting escapes " ` $ \ with a backslash, then the string escape doubles every backslash.
  t.ok(
    lines.includes(
      `Exec="${process.execPath}" "/opt/sochat/dist/tray/cli.js" "--data-dir" "/srv/so chat/%%h \\\\$HOME \\\\"quoted\\\\" back\\\\\\\\slash"`,
    ),
    'Exec quotes and escapes',
  )
})

const PLIST_TO_JSON = 'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))'

t.test('the launchd agents are property lists with the expected keys', { skip: NO_PYTHON }, async (t) => {
  const dir = t.testdir()
  const home = '/Users/ada & <bob>'
  const plan = planInstall({
    platform: 'darwin',
    home,
    env: {},
    uid: 501,
    nodePath: '/usr/local/bin/node',
    packageRoot: '/opt/sochat',
    dataDir: '/data/a&b',
  })
  const parsed = plan.files.map((file) => {
    writeFileSync(join(dir, 'agent.plist'), file.contents)
    return { path: file.path, plist: python(PLIST_TO_JSON, join(dir, 'agent.plist')) }
  })
  t.same(
    parsed,
    [
      {
        path: `${home}/Library/LaunchAgents/net.sochat.daemon.plist`,
        plist: {
          Label: 'net.sochat.daemon',
          ProgramArguments: ['/usr/local/bin/node', '/opt/sochat/dist/daemon/cli.js', 'start', '--data-dir', '/data/a&b'],
          RunAtLoad: true,
          KeepAlive: { SuccessfulExit: false },
          StandardOutPath: `${home}/Library/Logs/sochat/daemon.log`,
          StandardErrorPath: `${home}/Library/Logs/sochat/daemon.err.log`,
        },
      },
      {
        path: `${home}/Library/LaunchAgents/net.sochat.tray.plist`,
        plist: {
          Label: 'net.sochat.tray',
          ProgramArguments: ['/usr/local/bin/node', '/opt/sochat/dist/tray/cli.js', '--data-dir', '/data/a&b'],
          RunAtLoad: true,
          LimitLoadToSessionType: 'Aqua',
          ProcessType: 'Interactive',
          StandardOutPath: `${home}/Library/Logs/sochat/tray.log`,
          StandardErrorPath: `${home}/Library/Logs/sochat/tray.log`,
        },
      },
    ],
    'every string survives XML escaping',
  )
  t.same(plan.dirs, [`${home}/Library/Logs/sochat`], 'the log folder is made, since launchd does not')
  t.same(
    plan.start.flatMap((g) => g.commands.map((c) => c.argv.join(' '))),
    [
      'launchctl bootout gui/501/net.sochat.daemon',
      `launchctl bootstrap gui/501 ${home}/Library/LaunchAgents/net.sochat.daemon.plist`,
      'launchctl bootout gui/501/net.sochat.tray',
      `launchctl bootstrap gui/501 ${home}/Library/LaunchAgents/net.sochat.tray.plist`,
    ],
    'each agent is unloaded (if loaded) and loaded again',
  )
})

const TASK_TO_JSON = `import sys,json
from xml.dom import minidom
d = minidom.parse(sys.argv[1]).documentElement
text = lambda tag: [n.firstChild.data if n.firstChild else '' for n in d.getElementsByTagName(tag)]
print(json.dumps({'root': d.tagName, 'ns': d.getAttribute('xmlns'), 'command': text('Command'), 'arguments': text('Arguments'),
  'users': text('UserId'), 'logon': len(d.getElementsByTagName('LogonTrigger')), 'restart': text('Interval') + text('Count')}))`

t.test('the Windows tasks are well-formed UTF-16 XML that start at log-on and restart on failure', { skip: NO_PYTHON }, async (t) => {
  const dir = t.testdir()
  const plan = planInstall({
    platform: 'win32',
    home: 'C:\\Users\\Ada',
    env: { USERNAME: 'ada', USERDOMAIN: 'LAB', LOCALAPPDATA: 'C:\\Users\\Ada\\AppData\\Local' },
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    packageRoot: 'C:\\Tools\\So Chat',
    name: 'R&D <lab>',
  })
  t.same(
    plan.files.map((f) => f.path),
    ['C:\\Users\\Ada\\AppData\\Local\\sochat\\service\\daemon.xml', 'C:\\Users\\Ada\\AppData\\Local\\sochat\\service\\tray.xml'],
  )
  const daemon = plan.files[0]!
  t.equal(daemon.encoding, 'utf16le-bom', 'written as UTF-16 LE with a BOM')
  t.ok(daemon.contents.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n'), 'and declared so')
  writeFileSync(join(dir, 'daemon.xml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(daemon.contents, 'utf16le')]))
  t.same(python(TASK_TO_JSON, join(dir, 'daemon.xml')), {
    root: 'Task',
    ns: 'http://schemas.microsoft.com/windows/2004/02/mit/task',
    command: ['C:\\Program Files\\nodejs\\node.exe'],
    arguments: ['"C:\\Tools\\So Chat\\dist\\daemon\\cli.js" start --name "R&D <lab>"'],
    users: ['LAB\\ada', 'LAB\\ada'],
    logon: 1,
    restart: ['PT1M', '999'],
  })
  t.same(
    plan.start[0]!.commands.map((c) => c.argv),
    [
      ['schtasks', '/End', '/TN', 'SO-CHAT daemon'],
      ['schtasks', '/Create', '/TN', 'SO-CHAT daemon', '/XML', 'C:\\Users\\Ada\\AppData\\Local\\sochat\\service\\daemon.xml', '/F'],
      ['schtasks', '/Run', '/TN', 'SO-CHAT daemon'],
    ],
  )
  t.same(
    plan.stop.map((g) => g.commands.at(-1)!.argv),
    [
      ['schtasks', '/Delete', '/TN', 'SO-CHAT daemon', '/F'],
      ['schtasks', '/Delete', '/TN', 'SO-CHAT tray', '/F'],
    ],
  )
})

t.test('Windows arguments are quoted so the C runtime splits them back', async (t) => {
  t.equal(
    commandLine(['plain', 'two words', 'say "hi"', 'C:\\dir\\', 'C:\\a\\b', '']),
    'plain "two words" "say \\"hi\\"" C:\\dir\\ C:\\a\\b ""',
  )
  t.equal(commandLine(['C:\\my dir\\']), '"C:\\my dir\\\\"', 'a trailing backslash inside quotes is doubled')
  t.equal(commandLine(['a\\"b']), '"a\\\\\\"b"', 'backslashes before a quote are doubled')
})
