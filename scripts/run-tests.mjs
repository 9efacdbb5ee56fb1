// The test run of `npm test`, in two passes, because the suite has two kinds of test files:
//
// - in-process tests (test/daemon, test/shared, the page's unit tests): each file starts its own
//   stores and servers on loopback with ports the OS picks, in its own temporary folders, so two
//   files run side by side safely; they run two at a time (`--jobs=2`), which on a 2-core
//   machine saves about a third of their ~11 minutes (most of a file's time is tsx starting up
//   and LevelDB/scrypt work, both of which use one core).
// - the fleet tests (test/multihost, the browser tests, the tray, the package): they build
//   network namespaces and a bridge with fixed names, start Xvfb and Chromium, pack the project,
//   and measure what a host sees over seconds; they run one at a time, as before.
//
// Both passes always run (a failure in the first must not hide the second's). Tap prints one
// summary per pass; .ci/run adds them up. Extra arguments go to both passes (`npm test --
// --bail`); to run a few files, call `npx tap FILE...` directly.
import { spawnSync } from 'node:child_process'

const FLEET = ['test/{multihost,tray,package}/**/*.test.ts', 'test/**/*.browser.test.ts']
const extra = process.argv.slice(2)

function tap(args) {
  const run = spawnSync('npx', ['tap', ...args, ...extra], { stdio: 'inherit' })
  if (run.error) throw new Error(`could not start tap: ${run.error.message}`, { cause: run.error })
  return run.status ?? 1
}

const inProcess = tap([
  '--jobs=2',
  ...FLEET.map((glob) => `--exclude=${glob}`),
  // Replacing the exclude list drops tap's default; keep it.
  '--exclude=**/{dist,fixture,fixtures}/**',
])
const fleet = tap(['--jobs=1', ...FLEET.map((glob) => `--include=${glob}`)])
process.exit(inProcess !== 0 ? inProcess : fleet)
