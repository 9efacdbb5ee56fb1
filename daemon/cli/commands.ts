/**
 * Every `sochat` command in one table: its flags (flags.ts), the words of its --help, and what
 * it runs. The top-level help, each command's --help and the usage after a wrong flag are all
 * generated from here, so no usage text is kept by hand.
 */
import { defaultDataDir, resolveConfig } from '../config/index.js'
import { runServiceCommand } from '../service/command.js'
import { SERVICE_DETAILS, SERVICE_FLAGS } from '../service/options.js'
import {
  BadValueError,
  checkValues,
  DATA_DIR_FLAG,
  describeFlags,
  type FlagSet,
  type FlagValues,
  START_FLAGS,
  toStartFlags,
} from './flags.js'
import { EXPORT_HELP, runExport } from './export.js'
import { printNetworkKey } from './network-key.js'
import { runStart } from './start.js'
import { printStatus } from './status.js'
import { STOP_HELP, stopDaemon } from './stop.js'

export interface Command {
  name: string
  /** One line for the list of commands. */
  summary: string
  /** More paragraphs for the command's own --help. */
  details?: string
  flags: FlagSet
  /** `values` are the parsed flags; `args` the same flags as given (for commands that pass them on). */
  run: (values: FlagValues, args: string[]) => Promise<number>
}

const dataDir = (v: FlagValues): string => (typeof v['data-dir'] === 'string' ? v['data-dir'] : defaultDataDir())

export const COMMANDS: readonly Command[] = [
  {
    name: 'start',
    summary: 'run the daemon here until Ctrl-C or `sochat stop`',
    details:
      'In a terminal it prints the chat page’s address and readable log lines; as a service\n(output not a terminal) it logs JSON lines on stdout.',
    flags: START_FLAGS,
    // Every value is checked before anything starts.
    run: (v) => runStart(checkValues(() => resolveConfig(toStartFlags(v)))),
  },
  {
    name: 'status',
    summary: 'what the running daemon says about itself',
    flags: { ...DATA_DIR_FLAG, json: { type: 'boolean', help: 'print the status as one JSON document' } },
    run: (v) => printStatus(dataDir(v), v.json === true),
  },
  {
    name: 'stop',
    summary: 'ask the running daemon to stop, and wait until it has',
    details: `It asks the daemon over its control socket and never signals a process.\n${STOP_HELP}`,
    flags: DATA_DIR_FLAG,
    run: async (v) => stopDaemon(dataDir(v), (line) => console.log(line)),
  },
  {
    name: 'network-key',
    summary: "print this network's key, for --network-key-file on the next machine",
    flags: DATA_DIR_FLAG,
    run: (v) => printNetworkKey(dataDir(v)),
  },
  {
    name: 'export',
    summary: 'save a room, or everything a person may read, as a JSON or HTML file',
    details: EXPORT_HELP,
    flags: {
      ...DATA_DIR_FLAG,
      user: { type: 'string', value: 'NAME', help: 'whose export: logs in as them (required)' },
      room: { type: 'string', value: 'ID', help: 'one room, by id (default: everything they may read)' },
      format: { type: 'string', value: 'FORMAT', help: 'json (complete, for programs) or html (one page to read; default json)' },
      out: { type: 'string', value: 'FILE', help: 'where to write it (- for stdout; default: a name after the room and time)' },
      'password-file': { type: 'string', value: 'FILE', help: "read the password from the file's first line (- for stdin)" },
    },
    run: (v) => {
      const user = typeof v.user === 'string' ? v.user : undefined
      if (!user) throw new BadValueError('Say whose export it is: --user NAME.')
      const format = v.format ?? 'json'
      if (format !== 'json' && format !== 'html') throw new BadValueError(`--format is json or html, not "${String(format)}".`)
      return runExport({
        dataDir: dataDir(v),
        user,
        format,
        ...(typeof v.room === 'string' ? { room: v.room } : {}),
        ...(typeof v.out === 'string' ? { out: v.out } : {}),
        ...(typeof v['password-file'] === 'string' ? { passwordFile: v['password-file'] } : {}),
        say: (line) => console.log(line),
      })
    },
  },
  {
    name: 'install-service',
    summary: 'start the daemon with your log-in (or the machine), the tray with the desktop',
    details: SERVICE_DETAILS,
    flags: SERVICE_FLAGS,
    run: (_v, args) => runServiceCommand('install', args),
  },
  {
    name: 'uninstall-service',
    summary: 'undo install-service (takes the same flags)',
    flags: SERVICE_FLAGS,
    run: (_v, args) => runServiceCommand('uninstall', args),
  },
]

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name)
}

/** A command's --help, and the usage printed after a wrong flag. */
export function commandUsage(command: Command): string {
  const parts = [`Usage: sochat ${command.name} [flags]`, '', `${capitalize(command.summary)}.`]
  if (command.details) parts.push('', command.details)
  parts.push('', 'Flags:', describeFlags(command.flags))
  return parts.join('\n')
}

export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: sochat <command> [flags]',
    '',
    'SO-CHAT: chat for a local network, with nothing to set up.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    '`sochat <command> --help` shows a command’s flags; `sochat --version` the version.',
    'Exit status: 0 done, 1 failed (the message says why), 2 wrong command or flags.',
  ].join('\n')
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
