/**
 * The installer's options: the flags of `sochat install-service` (shared with
 * scripts/install-service.ts), their validation, and the defaults taken from this machine.
 * `resolveTarget` turns them into the one description every renderer works from.
 */
import { existsSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { dirname, join, posix, resolve, win32 } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  checkLogLevel,
  checkValues,
  describeFlags,
  type FlagSet,
  type FlagValues,
  parseFlags,
  START_FLAGS,
  toStartFlags,
} from '../cli/flags.js'
import { checkNetworkName, parseFileMib, parsePeer, parsePort } from '../config/index.js'
import { InputError } from '../errors/index.js'
import type { Launch, ServicePlatform } from './plan.js'

/** install-service's own flags; it takes every `sochat start` flag too (START_FLAGS), to pass on. */
const OWN_FLAGS: FlagSet = {
  'dry-run': { type: 'boolean', help: 'print every file and command, change nothing' },
  system: { type: 'boolean', help: 'Linux: a system unit running as --user NAME (needs root)' },
  user: { type: 'string', value: 'NAME', help: 'with --system: the account the daemon runs as' },
  'no-start': { type: 'boolean', help: 'write or remove the files only; run no systemctl/launchctl/schtasks' },
  'from-clone': { type: 'boolean', help: 'point the service at this clone anyway (see above)' },
  // Hidden: for trying a system install in a folder, or a plan for another OS.
  root: { type: 'string', value: 'DIR', help: 'prefix for --system paths', hidden: true },
  platform: { type: 'string', value: 'OS', help: 'linux, darwin or win32', hidden: true },
}

export const SERVICE_FLAGS: FlagSet = { ...OWN_FLAGS, ...START_FLAGS }

export const SERVICE_DETAILS = `Linux: a systemd user unit (--system: a system unit running as --user NAME, needs root)
and an autostart entry for the tray. macOS: launchd agents. Windows: log-on tasks.
The service runs \`sochat start\` with the start flags given here (see \`sochat start --help\`),
from the installed copy this command belongs to: install SO-CHAT first (README), since a
service pointing into a git clone breaks when the clone moves or is rebuilt
(--from-clone does it anyway). Uninstall takes the same flags as install.
--network-key-file: the key is kept in the data folder (0600), so the file may be deleted
afterwards; with --system the service reads FILE at each start instead, so it must stay.`

/** For errors from scripts/install-service.ts; the CLI generates the same from its table. */
export const SERVICE_USAGE = `Usage: sochat install-service|uninstall-service [flags]\n\n${SERVICE_DETAILS}\n\nFlags:\n${describeFlags(SERVICE_FLAGS)}`

export interface ServiceOptions {
  /** Defaults to process.platform; tests render every platform on Linux. */
  platform?: string
  /** Linux only: a system unit in /etc/systemd/system instead of a user unit. */
  system?: boolean
  /** The account a --system unit runs as (default: SUDO_USER, else the current user). */
  user?: string
  /** Write or remove the files only; run no service manager command. */
  noStart?: boolean
  /** The home the per-user files go under (default: this user's). */
  home?: string
  /** Prefix for --system paths (default "/"), so a system install can be tried in a folder. */
  root?: string
  env?: Record<string, string | undefined>
  /** launchd's gui/<uid> domain. */
  uid?: number
  nodePath?: string
  /** The folder holding package.json and dist/ (default: the one this file is in). */
  packageRoot?: string
  // Passed through to `sochat start`, validated as the daemon would.
  dataDir?: string
  interface?: string
  network?: string
  name?: string
  uiPort?: string
  peerPort?: string
  maxFileMib?: string
  peer?: string[]
  /** false: `--no-mdns`. */
  mdns?: boolean
  logLevel?: string
  open?: boolean
  /** Point the service at a git clone although its path may move (`--from-clone`). */
  fromClone?: boolean
  /** A network key file: saved in the data folder at install (a --system unit reads it at each start). */
  networkKeyFile?: string
}

/** The validated options with every default filled in. */
export interface ServiceTarget {
  platform: ServicePlatform
  system: boolean
  /** The account the service runs as. */
  user: string
  home: string
  root: string
  env: Record<string, string | undefined>
  uid: number
  noStart: boolean
  daemon: Launch
  tray: Launch
  daemonEntry: string
  trayEntry: string
}

export interface ParsedServiceArgs {
  options: ServiceOptions
  dryRun: boolean
  help: boolean
}

export function parseServiceArgs(args: string[]): ParsedServiceArgs {
  const v = parseFlags(SERVICE_FLAGS, args, SERVICE_USAGE)
  const start = checkValues(() => toStartFlags(v))
  const str = (value: FlagValues[string]): string | undefined => (typeof value === 'string' ? value : undefined)
  const options: ServiceOptions = {
    platform: str(v.platform),
    system: v.system === true ? true : undefined,
    user: str(v.user),
    noStart: v['no-start'] === true ? true : undefined,
    fromClone: v['from-clone'] === true ? true : undefined,
    root: str(v.root),
    dataDir: start.dataDir,
    interface: start.interface,
    network: start.network,
    name: start.name,
    uiPort: start.uiPort,
    peerPort: start.peerPort,
    maxFileMib: start.maxFileMib,
    peer: start.peer,
    mdns: start.mdns === false ? false : undefined,
    logLevel: start.logLevel,
    open: start.open ? true : undefined,
    networkKeyFile: start.networkKeyFile,
  }
  return { options, dryRun: v['dry-run'] === true, help: v.help === true }
}

export function resolveTarget(options: ServiceOptions): ServiceTarget {
  const platform = checkPlatform(options.platform ?? process.platform)
  const path = pathFor(platform)
  const env = options.env ?? process.env
  const system = options.system === true
  if (system && platform !== 'linux') {
    throw new InputError(
      'bad_request',
      '--system is for Linux (a systemd system unit); on macOS and Windows install without it, for your account.',
    )
  }
  if (!system && options.user !== undefined)
    throw new InputError('bad_request', '--user only goes with --system: a user unit always runs as you.')
  if (!system && options.root !== undefined) throw new InputError('bad_request', '--root only goes with --system.')
  const home = absolute(options.home ?? homedir(), 'the home folder', path)
  const root = absolute(options.root ?? path.parse(home).root, '--root', path)
  const packageRoot = options.packageRoot ?? findPackageRoot()
  const daemonEntry = path.join(packageRoot, 'dist', 'daemon', 'cli.js')
  const trayEntry = path.join(packageRoot, 'dist', 'tray', 'cli.js')
  const nodePath = options.nodePath ?? process.execPath
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(checkText(options.dataDir, '--data-dir', 4096))
  return {
    platform,
    system,
    home,
    root,
    env,
    noStart: options.noStart === true,
    user: system ? checkAccount(options.user ?? env.SUDO_USER ?? currentUser()) : accountName(platform, env),
    uid: options.uid ?? process.getuid?.() ?? 0,
    daemon: { program: nodePath, args: [daemonEntry, 'start', ...startFlags(options, dataDir)] },
    tray: { program: nodePath, args: [trayEntry, ...(dataDir === undefined ? [] : ['--data-dir', dataDir])] },
    daemonEntry,
    trayEntry,
  }
}

export function pathFor(platform: ServicePlatform): typeof posix {
  return platform === 'win32' ? win32 : posix
}

/** The flags the service passes to `sochat start`, checked the way the daemon checks them. */
function startFlags(options: ServiceOptions, dataDir: string | undefined): string[] {
  const flags: string[] = []
  if (dataDir !== undefined) flags.push('--data-dir', dataDir)
  if (options.interface !== undefined) flags.push('--interface', checkText(options.interface, '--interface', 64))
  if (options.network !== undefined) flags.push('--network', checkNetworkName(options.network))
  if (options.name !== undefined) flags.push('--name', checkText(options.name, '--name', 63))
  if (options.uiPort !== undefined) flags.push('--ui-port', String(parsePort(options.uiPort, 0, '--ui-port')))
  if (options.peerPort !== undefined) flags.push('--peer-port', String(parsePort(options.peerPort, 0, '--peer-port')))
  if (options.maxFileMib !== undefined) flags.push('--max-file-mib', String(parseFileMib(options.maxFileMib)))
  for (const peer of options.peer ?? []) {
    const { host, port } = parsePeer(checkText(peer, '--peer', 300))
    flags.push('--peer', host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)
  }
  if (options.mdns === false) flags.push('--no-mdns')
  if (options.logLevel !== undefined) flags.push('--log-level', checkLogLevel(options.logLevel)!)
  if (options.open === true) flags.push('--open')
  // A user install copies the key into the data folder now (command.ts); a system unit runs as
  // another account, whose folder this process should not write into, so the unit reads it.
  if (options.networkKeyFile !== undefined && options.system === true)
    flags.push('--network-key-file', resolve(checkText(options.networkKeyFile, '--network-key-file', 4096)))
  return flags
}

/** Control characters would end a line in a unit file; nobody means them in a name or a path. */
function checkText(value: string, flag: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this refuses
  if (value.length === 0 || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InputError(
      'bad_request',
      `${flag} must be 1-${max} characters without line breaks or control characters, not ${JSON.stringify(value)}.`,
    )
  }
  return value
}

function checkPlatform(value: string): ServicePlatform {
  if (value === 'linux' || value === 'darwin' || value === 'win32') return value
  throw new InputError(
    'bad_request',
    `SO-CHAT installs itself as a service on Linux (systemd), macOS (launchd) and Windows (Task Scheduler), not on "${value}"; run "sochat start" from your own startup mechanism instead.`,
  )
}

function checkAccount(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(name)) return name
  throw new InputError('bad_request', `--user must be the name of an account on this machine (like alice), not ${JSON.stringify(name)}.`)
}

function absolute(dir: string, what: string, path: typeof posix): string {
  if (path.isAbsolute(dir)) return path.normalize(dir)
  throw new InputError('bad_request', `${what} must be an absolute path, not "${dir}".`)
}

/** Task Scheduler names accounts DOMAIN\name; elsewhere the login name is enough. */
function accountName(platform: ServicePlatform, env: Record<string, string | undefined>): string {
  if (platform === 'win32' && env.USERNAME) return env.USERDOMAIN ? `${env.USERDOMAIN}\\${env.USERNAME}` : env.USERNAME
  return currentUser()
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? 'root'
  }
}

/** The folder with package.json above this file, in the sources and in dist alike (like defaultWebRoot). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}
