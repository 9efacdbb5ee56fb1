// The test run of `npm test`, in two passes, because the suite has two kinds of test files:
//
// - in-process tests (test/daemon, test/shared, the page's unit tests): each file starts its own
//   stores and servers on loopback with ports the OS picks, in its own temporary folders, so two
//   files run side by side safely; they run two at a time (`--jobs=2`), which on a 2-core
//   machine saves about a third of their ~11 minutes (most of a file's time is tsx starting up
//   and LevelDB/scrypt work, both of which use one core).
// - the fleet tests (test/multihost, the browser tests, the tray, the package): they build
//   network namespaces and a bridge, start Xvfb and Chromium, pack the project, and measure
//   what a host sees over seconds. Within a lane they run one at a time; the two lanes run side
//   by side: the multihost lane (namespaces with a random prefix and subnet each, netns.ts) and
//   the page lane (browser tests on loopback ports the OS picks, tray tests on an Xvfb display
//   each picks itself, the package test in its own temporary prefix). Nothing is shared
//   between the lanes but the two cores, which saves ~5 of the fleet's ~15 minutes.
//
// Both passes always run (a failure in the first must not hide the second's). Tap prints one
// summary per pass and lane; .ci/run adds them up. The page lane's output is held and printed
// after the multihost lane's, so the two never interleave. Extra arguments go to every run
// (`npm test -- --bail`); to run a few files, call `npx tap FILE...` directly.
import { spawn, spawnSync } from 'node:child_process'

const MULTIHOST = 'test/multihost/**/*.test.ts'
const PAGE_LANE = ['test/{tray,package}/**/*.test.ts', 'test/**/*.browser.test.ts']
const FLEET = [MULTIHOST, ...PAGE_LANE]
const extra = process.argv.slice(2)

function tap(args) {
  const run = spawnSync('npx', ['tap', ...args, ...extra], { stdio: 'inherit' })
  if (run.error) throw new Error(`could not start tap: ${run.error.message}`, { cause: run.error })
  return run.status ?? 1
}

/** Runs tap beside others: its output printed as it comes, or held (`held`) and handed back. */
function tapBeside(args, held) {
  return new Promise((resolve, reject) => {
    const run = spawn('npx', ['tap', ...args, ...extra], { stdio: ['ignore', held ? 'pipe' : 'inherit', held ? 'pipe' : 'inherit'] })
    const chunks = []
    run.stdout?.on('data', (c) => chunks.push(c))
    run.stderr?.on('data', (c) => chunks.push(c))
    run.on('error', (err) => reject(new Error(`could not start tap: ${err.message}`, { cause: err })))
    run.on('close', (code) => resolve({ status: code ?? 1, output: Buffer.concat(chunks) }))
  })
}

const inProcess = tap([
  '--jobs=2',
  ...FLEET.map((glob) => `--exclude=${glob}`),
  // Replacing the exclude list drops tap's default; keep it.
  '--exclude=**/{dist,fixture,fixtures}/**',
])
const [multihost, page] = await Promise.all([
  tapBeside(['--jobs=1', `--include=${MULTIHOST}`], false),
  tapBeside(['--jobs=1', ...PAGE_LANE.map((glob) => `--include=${glob}`)], true),
])
process.stdout.write('\n# the page lane (browser, tray, package), run beside the multihost lane:\n')
process.stdout.write(page.output)
// Not process.exit(): writes to a pipe (`npm test | tee`, as .ci/run does) are asynchronous, and
// exiting at once cut the page lane's held output at the pipe's 64 KiB, its summary with it.
process.exitCode = [inProcess, multihost.status, page.status].find((status) => status !== 0) ?? 0
