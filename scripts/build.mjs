/**
 * `npm run build`: compiles the daemon, the tray and shared/ (tsc), bundles the two commands,
 * the daemon's and the tray's (build-commands.mjs), and the page (build-web-ui.mjs), draws the
 * tray's icons (build-tray-icons.mjs), then stamps dist/
 * with the time the build STARTED, so a source saved while tsc ran is still newer than the
 * stamp and the next `npm start` builds again
 * (build-if-stale.mjs). `--clean` empties dist/ first (what `npm pack` ships must not hold
 * files of sources deleted since).
 */
import { spawnSync } from 'node:child_process'
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const STAMP = join(root, 'dist', '.build-stamp')

/** Runs the whole build; throws with words when a step fails or TypeScript is missing. */
export async function build({ clean = false } = {}) {
  const started = new Date()
  if (clean) await rm(join(root, 'dist'), { recursive: true, force: true })
  let tsc
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc')
  } catch {
    throw new Error(
      'Building SO-CHAT needs its development dependencies (TypeScript, esbuild): run `npm ci` (without --omit=dev) in this folder first.',
    )
  }
  run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], 'tsc')
  run(process.execPath, [join(root, 'scripts', 'build-commands.mjs')], 'the daemon and tray bundles')
  run(process.execPath, [join(root, 'scripts', 'build-web-ui.mjs')], 'the page bundle')
  run(process.execPath, [join(root, 'scripts', 'build-tray-icons.mjs')], 'the tray icons')
  await mkdir(join(root, 'dist'), { recursive: true })
  await writeFile(STAMP, `${started.toISOString()}\n`)
  await utimes(STAMP, started, started)
}

function run(program, args, what) {
  const result = spawnSync(program, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`Building ${what} failed (exit ${result.status ?? result.signal}); see above.`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build({ clean: process.argv.includes('--clean') }).catch((err) => {
    console.error(`build: ${err.message}`)
    process.exit(1)
  })
}
