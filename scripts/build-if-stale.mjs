/**
 * Builds only when a source is newer than the last build (`npm start`, `prepare`), so starting
 * costs a directory walk (tens of milliseconds) instead of a full tsc run (8-11 s). Stale means:
 * no dist/.build-stamp, or a file under daemon/, shared/, tray/, web-ui/ or a build input
 * (tsconfig*.json, the build scripts) modified after the stamp. `--clean` (prepack) always
 * builds from an empty dist/. In an installed copy (no sources, dist/ shipped built) it does
 * nothing, should npm run `prepare` there.
 */
import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { STAMP, build, root } from './build.mjs'

const SOURCE_DIRS = ['daemon', 'shared', 'tray', 'web-ui']
const BUILD_INPUTS = [
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build.mjs',
  'scripts/build-commands.mjs',
  'scripts/build-web-ui.mjs',
  'scripts/emoji-data.mjs',
]

/** The newest modification time among the sources, in ms. */
async function newestSource() {
  let newest = 0
  const note = async (path) => {
    const s = await stat(path).catch(() => null)
    if (s && s.mtimeMs > newest) newest = s.mtimeMs
  }
  for (const dir of SOURCE_DIRS) {
    const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      const parent = e.parentPath ?? e.path
      if (e.isFile() && !parent.includes('node_modules')) await note(join(parent, e.name))
    }
  }
  for (const file of BUILD_INPUTS) await note(join(root, file))
  return newest
}

async function isStale() {
  const stamp = await stat(STAMP).catch(() => null)
  return stamp === null || (await newestSource()) > stamp.mtimeMs
}

try {
  if (!existsSync(join(root, 'daemon', 'cli.ts'))) process.exit(0) // an installed copy: nothing to build
  const clean = process.argv.includes('--clean')
  if (clean || (await isStale())) {
    console.error(clean ? 'Building SO-CHAT from scratch…' : 'Sources changed since the last build: building SO-CHAT…')
    await build({ clean })
  }
} catch (err) {
  console.error(`build: ${err.message}`)
  process.exit(1)
}
