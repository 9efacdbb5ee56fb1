/**
 * The daemon's settings: defaults, CLI flags, and the small files it keeps in its data folder
 * (runtime info for the CLI; the machine's key is daemon/identity's). Validated here, trusted everywhere after.
 */
import { existsSync } from 'node:fs'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import envPaths from 'env-paths'
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_NETWORK, DEFAULT_PEER_PORT, DEFAULT_UI_PORT } from '../../shared/index.js'
import { InputError } from '../errors/index.js'

export interface DaemonConfig {
  dataDir: string
  uiPort: number
  peerPort: number
  /** Try this many consecutive ports when one is taken. */
  portAttempts: number
  interface?: string
  mdns: boolean
  network: string
  name: string
  /** Static neighbours (host:port of their peer port), for networks mDNS does not cross. */
  peers: { host: string; port: number }[]
  logLevel: string
  webRoot: string
  /** Messages arriving within this window become one summary notification. */
  notifyBurstMs: number
  /** The largest file this daemon takes as relay (it tells its clients). */
  maxFileBytes: number
  /** A network key file to join with (`--network-key-file`); its key is saved in the data folder. */
  networkKeyFile?: string
  /** Let every SO-CHAT machine that asks in, without a person (`--open`). */
  open: boolean
}

export function defaultDataDir(): string {
  return envPaths('sochat', { suffix: '' }).data
}

/** The built page: dist/web-ui beside the compiled daemon, or under the repo when run from source. */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return join(dir, 'dist', 'web-ui')
}

export function parsePort(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InputError('bad_request', `${flag} must be a port number (0-65535), not "${value}".`)
  return n
}

export function parsePeer(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value)
  if (!m) throw new InputError('bad_request', `--peer must look like host:port (the neighbour's peer port), not "${value}".`)
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: parsePort(m[2], DEFAULT_PEER_PORT, '--peer') }
}

export function checkNetworkName(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(value))
    throw new InputError('bad_request', '--network is 1-63 letters, digits, dot, dash or underscore.')
  return value
}

export interface StartFlags {
  dataDir?: string
  uiPort?: string
  peerPort?: string
  interface?: string
  mdns?: boolean
  network?: string
  name?: string
  peer?: string[]
  logLevel?: string
  maxFileMib?: string
  networkKeyFile?: string
  open?: boolean
}

export function resolveConfig(flags: StartFlags): DaemonConfig {
  return {
    dataDir: resolve(flags.dataDir ?? defaultDataDir()),
    uiPort: parsePort(flags.uiPort, DEFAULT_UI_PORT, '--ui-port'),
    peerPort: parsePort(flags.peerPort, DEFAULT_PEER_PORT, '--peer-port'),
    portAttempts: 20,
    ...(flags.interface ? { interface: flags.interface } : {}),
    mdns: flags.mdns !== false,
    network: checkNetworkName(flags.network ?? DEFAULT_NETWORK),
    name: (flags.name ?? hostname()).slice(0, 63) || 'sochat',
    peers: (flags.peer ?? []).map(parsePeer),
    logLevel: flags.logLevel ?? 'info',
    webRoot: defaultWebRoot(),
    notifyBurstMs: 1500,
    maxFileBytes: parseFileMib(flags.maxFileMib) * 1024 * 1024,
    ...(flags.networkKeyFile ? { networkKeyFile: resolve(flags.networkKeyFile) } : {}),
    open: flags.open === true,
  }
}

export function parseFileMib(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_BYTES / 1024 / 1024
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 16384)
    throw new InputError('bad_request', `--max-file-mib must be a whole number of MiB from 1 to 16384, not "${value}".`)
  return n
}

/**
 * Makes the data folder private to this user, on every start: `mkdir`'s mode only applies to
 * a folder it creates, so a folder made earlier by hand or by an older version (0755) stays
 * readable unless chmodded. Without x on the folder nobody else reaches anything inside, so
 * files already there with wider modes are covered by the folder alone. The umask (077) makes
 * everything written from now on (LevelDB's files, blobs, uploads) owner-only too; it is
 * process-wide, which is what we want in a process that is the daemon.
 */
export async function makeDataDirPrivate(dataDir: string): Promise<void> {
  process.umask(0o077)
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    await chmod(dataDir, 0o700)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError(
      'bad_request',
      `Cannot make the data folder ${dataDir} private to you (${code}); is it yours? Choose another with --data-dir.`,
      {
        cause: err,
      },
    )
  }
}

/** Where a running daemon can be found by the CLI. */
export interface RuntimeInfo {
  pid: number
  ui: string
  socket: string
  nodeId: string
}

export function runtimeFile(dataDir: string): string {
  return join(dataDir, 'sochatd.json')
}

export function socketPath(dataDir: string): string {
  return join(dataDir, 'sochatd.sock')
}

export async function writeRuntime(dataDir: string, info: RuntimeInfo): Promise<void> {
  await writeFile(runtimeFile(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
}
