/**
 * The CLI's flags, declared once: `util.parseArgs` reads them, the help texts are generated
 * from them, and `sochat install-service` takes exactly `sochat start`'s (START_FLAGS) plus
 * its own, so the two can no longer disagree. A wrong flag is a UsageError: the problem in
 * words, then the command's usage; the CLI exits 2 for it.
 */
import { parseArgs } from 'node:util'
import { DEFAULT_NETWORK, DEFAULT_PEER_PORT, DEFAULT_UI_PORT } from '../../shared/index.js'
import type { StartFlags } from '../config/index.js'
import { InputError } from '../errors/index.js'

export interface Flag {
  type: 'string' | 'boolean'
  multiple?: boolean
  short?: string
  /** The value's placeholder in the usage (PORT, DIR...). */
  value?: string
  help: string
  /** Accepted but left out of the help (for tests and trying plans of other platforms). */
  hidden?: boolean
}

export type FlagSet = Readonly<Record<string, Flag>>
export type FlagValues = Record<string, string | boolean | string[] | undefined>

/** Bad flags or values: the message says what is wrong and ends with the command's usage. */
export class UsageError extends InputError {
  constructor(problem: string, usage: string, options?: { cause?: unknown }) {
    super('bad_request', `${problem}\n\n${usage}`, options)
  }
}

/** A flag's value is wrong (a port out of range, an unknown log level): said in words, exit 2. */
export class BadValueError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_request', message, options)
  }
}

/** Runs a check of flag values; its InputError (daemon/config's words) becomes a BadValueError. */
export function checkValues<T>(check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof InputError) throw new BadValueError(err.message, { cause: err })
    throw err
  }
}

export const HELP_FLAG: FlagSet = { help: { type: 'boolean', short: 'h', help: 'show this help and exit' } }

export const DATA_DIR_FLAG: FlagSet = {
  'data-dir': { type: 'string', value: 'DIR', help: "the daemon's data folder (default: the per-user one, see README)" },
}

/** pino's levels; anything else would reach pino and come back as its internal error. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const START_FLAGS: FlagSet = {
  ...DATA_DIR_FLAG,
  'ui-port': {
    type: 'string',
    value: 'PORT',
    help: `the chat page on 127.0.0.1:PORT (default ${DEFAULT_UI_PORT}; the next free one if taken)`,
  },
  'peer-port': { type: 'string', value: 'PORT', help: `the port other machines reach this one on (default ${DEFAULT_PEER_PORT})` },
  interface: { type: 'string', value: 'NAME', help: 'the network interface mDNS uses (default: the first LAN one)' },
  network: { type: 'string', value: 'NAME', help: `the network to join, 1-63 letters, digits, . - _ (default "${DEFAULT_NETWORK}")` },
  name: { type: 'string', value: 'NAME', help: "this machine's name as others see it (default: the host name)" },
  peer: {
    type: 'string',
    multiple: true,
    value: 'HOST:PORT',
    help: "a neighbour's peer port, for networks mDNS does not cross (repeatable)",
  },
  'no-mdns': { type: 'boolean', help: 'do not use mDNS (only --peer neighbours are found)' },
  'log-level': { type: 'string', value: 'LEVEL', help: `how much to log: ${LOG_LEVELS.join(', ')} (default info)` },
  'max-file-mib': { type: 'string', value: 'N', help: 'the largest file this machine takes as relay, 1-16384 MiB' },
  'network-key-file': { type: 'string', value: 'FILE', help: 'join the network this key belongs to (`sochat network-key` prints it)' },
  open: { type: 'boolean', help: 'let in every SO-CHAT machine that asks, without a person' },
}

/** Parses `args` against `flags` (plus --help); no positionals. Throws a UsageError. */
export function parseFlags(flags: FlagSet, args: string[], usage: string): FlagValues {
  const options = Object.fromEntries(
    Object.entries({ ...flags, ...HELP_FLAG }).map(([name, f]) => [
      name,
      { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) },
    ]),
  )
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as FlagValues
  } catch (err) {
    // parseArgs' own words are plain ("Unknown option '--x'", "Option '--ui-port <value>' argument missing").
    throw new UsageError((err as Error).message.split('. To specify')[0]!, usage, { cause: err })
  }
}

/** One line per flag, aligned, for a command's --help. */
export function describeFlags(flags: FlagSet): string {
  const rows = Object.entries({ ...flags, ...HELP_FLAG })
    .filter(([, f]) => !f.hidden)
    .map(([name, f]) => [`${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`, f.help] as const)
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n')
}

/** `--log-level` in words, checked before pino sees it. */
export function checkLogLevel(value: string | undefined): string | undefined {
  if (value === undefined || (LOG_LEVELS as readonly string[]).includes(value)) return value
  throw new InputError('bad_request', `--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${value}".`)
}

const str = (v: FlagValues[string]): string | undefined => (typeof v === 'string' ? v : undefined)

/** The parsed START_FLAGS as the daemon's StartFlags (daemon/config validates them). */
export function toStartFlags(v: FlagValues): StartFlags {
  return {
    dataDir: str(v['data-dir']),
    uiPort: str(v['ui-port']),
    peerPort: str(v['peer-port']),
    interface: str(v.interface),
    network: str(v.network),
    name: str(v.name),
    peer: Array.isArray(v.peer) ? v.peer : undefined,
    mdns: v['no-mdns'] !== true,
    logLevel: checkLogLevel(str(v['log-level'])),
    maxFileMib: str(v['max-file-mib']),
    networkKeyFile: str(v['network-key-file']),
    open: v.open === true,
  }
}
