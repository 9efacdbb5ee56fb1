/**
 * `sochat install-service` / `sochat uninstall-service` and scripts/install-service.ts: parse
 * the flags, then print the plan (--dry-run) or carry it out and say what was done.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { checkValues } from '../cli/flags.js'
import { defaultDataDir, makeDataDirPrivate } from '../config/index.js'
import { InputError } from '../errors/index.js'
import { readKeyFileGiven, saveNetworkKey } from '../identity/index.js'
import { installService, planInstall, systemRunner, uninstallService, type CommandRunner, type ServiceReport } from './index.js'
import { parseServiceArgs, SERVICE_USAGE, type ServiceOptions } from './options.js'
import { showCommand, type CommandGroup, type ServicePlan } from './plan.js'

export type ServiceAction = 'install' | 'uninstall'

export interface ServiceCommandIo {
  /** One line (or block) of output; console.log by default. */
  out?: (text: string) => void
  runner?: CommandRunner
  /** Options the flags cannot set (tests give a temporary home here). */
  defaults?: ServiceOptions
}

/** Returns the exit status; bad flags and file errors throw (the CLI prints their message). */
export async function runServiceCommand(action: ServiceAction, args: string[], io: ServiceCommandIo = {}): Promise<number> {
  const out = io.out ?? ((text: string) => console.log(text))
  const { options, dryRun, help } = parseServiceArgs(args)
  if (help) {
    out(SERVICE_USAGE)
    return 0
  }
  const merged: ServiceOptions = { ...io.defaults, ...withoutUndefined(options) }
  // Wrong values (a port out of range, --system on macOS) are the flags' fault: exit 2 in the CLI.
  const plan = checkValues(() => planInstall(merged))
  if (action === 'install' && !merged.fromClone) refuseClone(plan.daemonEntry)
  // Read (and so checked) before anything is written: a wrong file must not leave half an install.
  const key = action === 'install' && merged.networkKeyFile ? await readKeyFileGiven(merged.networkKeyFile) : null
  const keyDir = merged.dataDir ?? defaultDataDir()
  if (key && !merged.system) plan.notes.push(`The network key ${key.id} is kept in ${keyDir} (0600); the file given may be deleted.`)
  if (dryRun) {
    out(action === 'install' ? describeInstall(plan) : describeUninstall(plan))
    return 0
  }
  if (key && !merged.system) {
    await makeDataDirPrivate(keyDir)
    await saveNetworkKey(keyDir, key)
  }
  const runner = io.runner ?? systemRunner
  const report = action === 'install' ? await installService(plan, runner) : await uninstallService(merged, runner)
  out(describeReport(action, plan, report))
  return 0
}

/**
 * A service must outlive the folder it runs from. A git clone moves, is pulled without a
 * rebuild, is deleted after trying: the unit would then start nothing. An installed copy
 * (npm install -g) stays where npm put it and is replaced in place on upgrade.
 */
function refuseClone(daemonEntry: string): void {
  const root = dirname(dirname(dirname(daemonEntry))) // <root>/dist/daemon/cli.js
  if (!existsSync(join(root, '.git'))) return
  throw new InputError(
    'bad_request',
    `This sochat runs from a git clone (${root}); a service pointing into it breaks when the clone moves or is rebuilt. Install SO-CHAT first (in the clone: npm pack, then npm install -g ./sochat-*.tgz) and run \`sochat install-service\` from the installed copy, or add --from-clone to point the service here anyway.`,
  )
}

/** Every file with its full contents, every link and command: what --dry-run prints. */
export function describeInstall(plan: ServicePlan): string {
  const parts = [`Would install the SO-CHAT service (${plan.kind}). Nothing was changed (--dry-run).`]
  for (const dir of plan.dirs) parts.push(`--- folder ${dir}`)
  for (const file of plan.files) {
    const encoding = file.encoding === 'utf8' ? '' : ', UTF-16 LE with BOM'
    parts.push(`--- file ${file.path} (mode ${file.mode.toString(8)}${encoding})\n${file.contents.replace(/\r\n/g, '\n').trimEnd()}`)
  }
  for (const link of plan.links) parts.push(`--- symlink ${link.path} -> ${link.target}`)
  parts.push(...commandBlock('Then run:', plan, plan.start))
  parts.push(...noteBlock(plan.notes))
  return parts.join('\n')
}

export function describeUninstall(plan: ServicePlan): string {
  const parts = [`Would uninstall the SO-CHAT service (${plan.kind}). Nothing was changed (--dry-run).`]
  parts.push(...commandBlock('First run:', plan, plan.stop))
  parts.push('Remove (where present):', ...[...plan.links, ...plan.files].map((e) => `  ${e.path}`))
  parts.push(`  and the folders that leaves empty, up to ${plan.base}`)
  parts.push(...commandBlock('Then run:', plan, plan.cleanup))
  return parts.join('\n')
}

function describeReport(action: ServiceAction, plan: ServicePlan, report: ServiceReport): string {
  const verb = action === 'install' ? 'wrote' : 'removed'
  const lines = [`${action === 'install' ? 'Installed' : 'Uninstalled'} the SO-CHAT service (${plan.kind}):`]
  lines.push(...report.changed.map((p) => `  ${p.includes(' -> ') ? 'linked' : verb} ${p}`))
  lines.push(...report.ran.map((c) => `  ran ${c}`))
  lines.push(...noteBlock(report.notes))
  return lines.join('\n')
}

function commandBlock(title: string, plan: ServicePlan, groups: CommandGroup[]): string[] {
  const commands = groups.flatMap((g) =>
    g.commands.map((c) => `  ${showCommand(c.argv, plan.platform)}${c.mayFail ? '   (may fail: nothing to undo)' : ''}`),
  )
  return commands.length === 0 ? [] : [title, ...commands]
}

function noteBlock(notes: string[]): string[] {
  return notes.map((n) => `Note: ${n}`)
}

function withoutUndefined(options: ServiceOptions): ServiceOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ServiceOptions
}
