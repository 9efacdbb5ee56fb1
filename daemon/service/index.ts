/**
 * Installs SO-CHAT as a service that starts with the machine or the log-in, and its tray with
 * the desktop session: `planInstall` says what that means on this platform (pure),
 * `installService` does it, `uninstallService` undoes exactly that.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { makeDir, pruneEmptyDirs, removeEntry, replaceLink, writePlannedFile } from './files.js'
import { launchdPlan } from './launchd.js'
import { resolveTarget, type ServiceOptions } from './options.js'
import { showCommand, ServiceFileError, type CommandGroup, type ServicePlan, type ServicePlatform } from './plan.js'
import { systemdPlan } from './systemd.js'
import { windowsPlan } from './windows.js'

export type { ParsedServiceArgs, ServiceOptions } from './options.js'
export { ServiceFileError, type CommandGroup, type PlannedCommand, type PlannedFile, type PlannedLink, type ServicePlan } from './plan.js'

/** Runs a service manager command; never throws for a failing command, only reports it. */
export interface CommandRunner {
  run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }>
}

/** What was done, for the person who ran it. */
export interface ServiceReport {
  /** Files written or removed, links as "path -> target". */
  changed: string[]
  /** The commands that ran, as typed in a shell. */
  ran: string[]
  notes: string[]
}

export function planInstall(options: ServiceOptions): ServicePlan {
  const target = resolveTarget(options)
  const render = target.platform === 'linux' ? systemdPlan : target.platform === 'darwin' ? launchdPlan : windowsPlan
  return { ...render(target), daemonEntry: target.daemonEntry, trayEntry: target.trayEntry }
}

/** Writes the plan's files and links, then runs its start commands. Safe to repeat. */
export async function installService(plan: ServicePlan, runner: CommandRunner): Promise<ServiceReport> {
  if (!existsSync(plan.daemonEntry)) {
    throw new ServiceFileError(`${plan.daemonEntry} does not exist: build SO-CHAT first (npm run build), then install the service again.`)
  }
  const notes = [...plan.notes]
  if (!existsSync(plan.trayEntry))
    notes.push(`The tray is not built yet (${plan.trayEntry}); its start-up entry is written anyway and works once it is.`)
  for (const dir of plan.dirs) await makeDir(plan, dir)
  for (const file of plan.files) await writePlannedFile(plan, file)
  for (const link of plan.links) await replaceLink(plan, link)
  const ran = await runGroups(plan.platform, plan.start, runner, notes)
  return {
    changed: [...plan.files.map((f) => f.path), ...plan.links.map((l) => `${l.path} -> ${l.target}`)],
    ran,
    notes,
  }
}

/**
 * Stops and unregisters the service, removes every file and link `installService` writes for
 * the same options, and the folders that leaves empty. Safe to repeat.
 */
export async function uninstallService(options: ServiceOptions, runner: CommandRunner): Promise<ServiceReport> {
  const plan = planInstall(options)
  const notes: string[] = []
  const ran = await runGroups(plan.platform, plan.stop, runner, notes)
  const removed: string[] = []
  for (const entry of [...plan.links.map((l) => l.path), ...plan.files.map((f) => f.path)]) {
    if (await removeEntry(plan, entry)) removed.push(entry)
  }
  const kept = await pruneEmptyDirs(plan, [...plan.links.map((l) => l.path), ...plan.files.map((f) => f.path)])
  for (const dir of kept) notes.push(`Kept ${dir}: it holds the service's logs; delete it if you do not need them.`)
  ran.push(...(await runGroups(plan.platform, plan.cleanup, runner, notes)))
  if (removed.length === 0) notes.push('None of the service files were there: nothing to remove.')
  return { changed: removed, ran, notes }
}

/** Each group stops at its first real failure, which becomes one note; the install goes on. */
async function runGroups(platform: ServicePlatform, groups: CommandGroup[], runner: CommandRunner, notes: string[]): Promise<string[]> {
  const ran: string[] = []
  for (const group of groups) {
    for (const {
      argv: [cmd, ...args],
      mayFail,
    } of group.commands) {
      const shown = showCommand([cmd, ...args], platform)
      const { code, stderr } = await runner.run(cmd, args)
      ran.push(code === 0 || mayFail ? shown : `${shown} (failed)`)
      if (code === 0 || mayFail) continue
      notes.push(`${group.failed}: ${failureReason(code, stderr)}; ${group.manual}`)
      break
    }
  }
  return ran
}

function failureReason(code: number, stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.at(-1) ?? `it exited with status ${code}`
}

/** The real service manager commands, each given 20 s. */
export const systemRunner: CommandRunner = {
  run(cmd, args) {
    return new Promise((resolve) => {
      execFile(cmd, args, { timeout: 20_000, windowsHide: true }, (err, _stdout, stderr) => {
        if (!err) return resolve({ code: 0, stderr: String(stderr) })
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown }
        if (e.code === 'ENOENT') return resolve({ code: 127, stderr: `${cmd} is not installed or not on the PATH` })
        if (e.killed) return resolve({ code: 124, stderr: `${cmd} did not finish within 20 s` })
        resolve({ code: typeof e.code === 'number' ? e.code : 1, stderr: String(stderr) || e.message })
      })
    })
  },
}
