/**
 * The installer's file work: write a planned file in one step, replace a symlink, remove what
 * the plan names and the folders that leaves empty. Errors name the file and the fix.
 */
import { chmod, lstat, mkdir, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises'
import { pathFor } from './options.js'
import { ServiceFileError, type PlannedFile, type PlannedLink, type ServicePlan } from './plan.js'

/** Through a temporary file and a rename, so a unit is never seen half written. */
export async function writePlannedFile(plan: ServicePlan, file: PlannedFile): Promise<void> {
  const path = pathFor(plan.platform)
  const bytes =
    file.encoding === 'utf8'
      ? Buffer.from(file.contents, 'utf8')
      : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file.contents, 'utf16le')])
  const temporary = `${file.path}.${process.pid}.tmp`
  try {
    await mkdir(path.dirname(file.path), { recursive: true, mode: 0o755 })
    await writeFile(temporary, bytes, { mode: file.mode })
    await chmod(temporary, file.mode) // writeFile's mode is filtered by the umask
    await rename(temporary, file.path)
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => {})
    throw fileError(plan, 'write', file.path, err)
  }
}

/** Replaces whatever is at the link's path, so installing twice gives the same link. */
export async function replaceLink(plan: ServicePlan, link: PlannedLink): Promise<void> {
  const path = pathFor(plan.platform)
  try {
    await mkdir(path.dirname(link.path), { recursive: true, mode: 0o755 })
    await rm(link.path, { force: true })
    await symlink(link.target, link.path)
  } catch (err) {
    throw fileError(plan, 'link', link.path, err)
  }
}

export async function makeDir(plan: ServicePlan, dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 })
  } catch (err) {
    throw fileError(plan, 'create', dir, err)
  }
}

/** Removes one planned file or link; false when it was not there. */
export async function removeEntry(plan: ServicePlan, entry: string): Promise<boolean> {
  try {
    await lstat(entry)
  } catch {
    return false
  }
  try {
    await rm(entry, { force: true })
    return true
  } catch (err) {
    throw fileError(plan, 'remove', entry, err)
  }
}

/**
 * Removes the folders under the plan's base (the home or --root) that are empty now, deepest
 * first, walking up from each removed path. A folder with anything else in it stays, so only
 * what the installer made (or an empty folder nobody used) goes. Returns the folders kept
 * among plan.dirs (launchd's log folder keeps the daemon's logs).
 */
export async function pruneEmptyDirs(plan: ServicePlan, removed: string[]): Promise<string[]> {
  const path = pathFor(plan.platform)
  const inside = (dir: string): boolean => {
    const rel = path.relative(plan.base, dir)
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
  }
  const candidates = new Set<string>()
  for (const start of [...removed.map((p) => path.dirname(p)), ...plan.dirs]) {
    for (let dir = start; inside(dir); dir = path.dirname(dir)) candidates.add(dir)
  }
  const deepestFirst = [...candidates].sort((a, b) => b.length - a.length)
  for (const dir of deepestFirst) {
    await rmdir(dir).catch(() => {}) // not empty, or not there: either way it stays as it is
  }
  const kept: string[] = []
  for (const dir of plan.dirs)
    if (
      await lstat(dir).then(
        () => true,
        () => false,
      )
    )
      kept.push(dir)
  return kept
}

function fileError(plan: ServicePlan, verb: string, file: string, err: unknown): ServiceFileError {
  const code = (err as NodeJS.ErrnoException).code
  const fix =
    code === 'EACCES' || code === 'EPERM'
      ? plan.scope === 'system'
        ? 'a --system install changes /etc: run it as root (sudo).'
        : 'check who owns that folder.'
      : 'fix that and run the command again; it is safe to repeat.'
  return new ServiceFileError(`Could not ${verb} ${file} (${(err as Error).message}); ${fix}`, { cause: err })
}
