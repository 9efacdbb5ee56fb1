/**
 * What installing the service means, as data: the files, symlinks and directories to write and
 * the commands to run afterwards. The renderers build it, `installService` carries it out,
 * `uninstallService` undoes it, and `--dry-run` prints it.
 */
import { SochatError } from '../errors/index.js'

export type ServicePlatform = 'linux' | 'darwin' | 'win32'

export interface PlannedFile {
  path: string
  contents: string
  mode: number
  /** Task Scheduler reads UTF-16 LE with a byte order mark most reliably; everything else is UTF-8. */
  encoding: 'utf8' | 'utf16le-bom'
}

export interface PlannedLink {
  path: string
  /** Relative, like the links `systemctl enable` makes, so a --root prefix stays valid. */
  target: string
}

export interface PlannedCommand {
  argv: [string, ...string[]]
  /** Failing is expected and means nothing (unloading a job that is not loaded). */
  mayFail?: boolean
}

/** Commands that belong together: the first real failure stops the group and becomes a note. */
export interface CommandGroup {
  commands: PlannedCommand[]
  /** Opens the note when a command fails: "Wrote the unit, but systemctl --user could not start it". */
  failed: string
  /** Closes the note, and the --no-start note: "start it with: systemctl --user start sochat". */
  manual: string
}

/** A program the daemon and the tray are started with. */
export interface Launch {
  program: string
  args: string[]
}

export interface ServicePlan {
  platform: ServicePlatform
  scope: 'user' | 'system'
  /** One line for people: "systemd user unit", "launchd agents"... */
  kind: string
  /** Empty directories are pruned up to, not including, this one (the home or the --root). */
  base: string
  /** Directories the running service needs that no file creates (launchd's log folder). */
  dirs: string[]
  files: PlannedFile[]
  links: PlannedLink[]
  /** Run after writing (reload, start). Empty with --no-start. */
  start: CommandGroup[]
  /** Run before removing (stop, unregister). Empty with --no-start. */
  stop: CommandGroup[]
  /** Run after removing (forget the unit). Empty with --no-start. */
  cleanup: CommandGroup[]
  /** Program files the units point at: the daemon's must exist, the tray's is optional. */
  daemonEntry: string
  trayEntry: string
  notes: string[]
}

/** Writing or removing the service's files failed; the message names the file and the fix. */
export class ServiceFileError extends SochatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, options)
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => XML_ENTITIES[c]!)
}

const XML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }

/** A command as a person would type it in the platform's shell (for notes and the dry run). */
export function showCommand(argv: readonly string[], platform: ServicePlatform): string {
  if (platform === 'win32') return argv.map((a) => (/^[A-Za-z0-9_./:=@+\\-]+$/.test(a) ? a : `"${a}"`)).join(' ')
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}
