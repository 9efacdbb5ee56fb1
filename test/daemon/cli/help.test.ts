/**
 * The CLI's words: --help for every command (generated from the one table), --version from
 * package.json, usage and exit 2 for a wrong command or flag, plain words and exit 2 for a
 * wrong value, never a library's internal error. In-process (runCli) for speed; one spawn
 * checks the executable passes the exit status on.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { COMMANDS, runCli } from '../../../daemon/cli/index.js'

const CLI = fileURLToPath(new URL('../../../daemon/cli.ts', import.meta.url))
const TRAY_CLI = fileURLToPath(new URL('../../../tray/cli.ts', import.meta.url))
const PACKAGE = fileURLToPath(new URL('../../../package.json', import.meta.url))

/** Runs the CLI in this process, collecting what it prints. */
async function sochat(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const { log, error } = console
  console.log = (...a: unknown[]) => void out.push(a.join(' '))
  console.error = (...a: unknown[]) => void err.push(a.join(' '))
  try {
    const code = await runCli(argv)
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    console.log = log
    console.error = error
  }
}

t.test('sochat --help lists every command; no command at all prints it and exits 2', async (t) => {
  const help = await sochat('--help')
  t.equal(help.code, 0)
  for (const c of COMMANDS) t.match(help.out, new RegExp(`\\n  ${c.name} +\\S`), `lists ${c.name}`)
  const none = await sochat()
  t.equal(none.code, 2, 'no command: exit 2')
  t.equal(none.err, help.out, 'and the same usage, on stderr')
})

t.test('every command has its own --help (and -h) with its flags, exit 0', async (t) => {
  for (const c of COMMANDS) {
    const help = await sochat(c.name, '--help')
    t.equal(help.code, 0, `${c.name} --help: exit 0`)
    t.match(help.out, `Usage: sochat ${c.name} [flags]`, `${c.name} --help: usage`)
    for (const [flag, spec] of Object.entries(c.flags)) {
      if (spec.hidden) t.notMatch(help.out, `--${flag} `, `${c.name} --help hides --${flag}`)
      else t.match(help.out, `--${flag}`, `${c.name} --help names --${flag}`)
    }
    t.equal((await sochat(c.name, '-h')).out, help.out, `${c.name} -h: the same`)
  }
})

t.test('install-service takes every start flag (README says it does)', async (t) => {
  const start = COMMANDS.find((c) => c.name === 'start')!
  const install = COMMANDS.find((c) => c.name === 'install-service')!
  for (const flag of Object.keys(start.flags)) t.ok(flag in install.flags, `install-service --${flag}`)
})

t.test('--version is the version in package.json', async (t) => {
  const { version } = JSON.parse(await readFile(PACKAGE, 'utf8')) as { version: string }
  const v = await sochat('--version')
  t.equal(v.code, 0)
  t.equal(v.out, version)
})

t.test('a wrong command or flag: what is wrong, then the usage, exit 2', async (t) => {
  const command = await sochat('strat')
  t.equal(command.code, 2)
  t.match(command.err, /there is no command "strat"[\s\S]*Usage: sochat <command>/)
  for (const c of COMMANDS) {
    const flag = await sochat(c.name, '--frobnicate')
    t.equal(flag.code, 2, `${c.name} --frobnicate: exit 2`)
    t.match(
      flag.err,
      new RegExp(`Unknown option '--frobnicate'[\\s\\S]*Usage: sochat ${c.name} \\[flags\\]`),
      `${c.name}: named, with usage`,
    )
  }
  const missing = await sochat('start', '--ui-port')
  t.equal(missing.code, 2)
  t.match(missing.err, /'--ui-port <value>' argument missing[\s\S]*Usage: sochat start/)
  const positional = await sochat('stop', 'now')
  t.equal(positional.code, 2, 'a stray word is refused too')
  t.match(positional.err, /Usage: sochat stop/)
})

t.test('a wrong value: said in words, exit 2, nothing from inside a library', async (t) => {
  const cases: [string[], RegExp][] = [
    [['start', '--log-level', 'loud'], /--log-level must be one of fatal, error, warn, info, debug, trace, silent, not "loud"/],
    [['start', '--ui-port', '70000'], /--ui-port must be a port number \(0-65535\), not "70000"/],
    [['start', '--peer-port', 'http'], /--peer-port must be a port number/],
    [['start', '--peer', 'lab-pc'], /--peer must look like host:port/],
    [['start', '--network', 'my network'], /--network is 1-63 letters/],
    [['start', '--max-file-mib', '0'], /--max-file-mib must be a whole number of MiB from 1 to 16384/],
    [['install-service', '--dry-run', '--log-level', 'loud'], /--log-level must be one of/],
    [['install-service', '--dry-run', '--peer', 'lab-pc'], /--peer must look like host:port/],
  ]
  for (const [argv, words] of cases) {
    const r = await sochat(...argv)
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`)
    t.match(r.err, words, `${argv.join(' ')}: in words`)
    t.match(r.err, `\`sochat ${argv[0]} --help\` lists the flags`, 'and where to look')
    t.notMatch(r.err, /pino|TypeError|at .*\.js:\d+|ERR_/, 'no library internals')
    t.equal(r.out, '', 'nothing on stdout')
  }
})

function runFile(file: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ['--import=tsx', file, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    ),
  )
}

t.test('the executable passes the exit status on', async (t) => {
  const version = await runFile(CLI, '--version')
  t.equal(version.code, 0)
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
  const wrong = await runFile(CLI, 'start', '--log-level', 'loud')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /^sochat start: --log-level must be one of/)
})

t.test('sochat-tray: --help, --version, and usage with exit 2 for a wrong flag', async (t) => {
  const help = await runFile(TRAY_CLI, '--help')
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: sochat-tray \[flags\][\s\S]*--data-dir DIR[\s\S]*--version/)
  const version = await runFile(TRAY_CLI, '--version')
  t.equal(version.code, 0)
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
  const wrong = await runFile(TRAY_CLI, '--frobnicate')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /Unknown option '--frobnicate'[\s\S]*Usage: sochat-tray/)
  const level = await runFile(TRAY_CLI, '--log-level', 'loud')
  t.equal(level.code, 2)
  t.match(level.stderr, /--log-level must be one of/)
})
