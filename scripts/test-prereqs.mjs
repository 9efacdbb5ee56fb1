// First line of `npm test`: what the full suite needs from this machine and what is missing.
// It never fails the run: the tests that need a missing piece skip themselves and say why.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const missing = []
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
if (!isRoot) missing.push('root (multi-host tests build network namespaces; run as root or they skip)')
try {
  execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
} catch {
  missing.push('iproute2 with netns support (apt-get install -y iproute2)')
}
if (!existsSync('/usr/bin/chromium')) missing.push('Debian chromium for the browser tests (apt-get install -y chromium)')

console.log(missing.length === 0
  ? 'Test prerequisites: all present (root, iproute2, /usr/bin/chromium).'
  : `Test prerequisites missing, those tests will skip: ${missing.join('; ')}. bash .ci/run installs them.`)
