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
const desktopTools = ['Xvfb', 'dbus-daemon', 'dunst', 'notify-send', 'trayer', 'xdotool', 'import', 'systemd-analyze', 'python3']
const absent = desktopTools.filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    return false
  } catch {
    return true
  }
})
if (absent.length)
  missing.push(
    `${absent.join(', ')} for the tray, notification and service tests (apt-get install -y xvfb dbus dunst libnotify-bin trayer xdotool imagemagick libgtk-3-0 libayatana-appindicator3-1 systemd python3)`,
  )

console.log(
  missing.length === 0
    ? 'Test prerequisites: all present (root, iproute2, /usr/bin/chromium, the desktop tools).'
    : `Test prerequisites missing, those tests will skip: ${missing.join('; ')}. bash .ci/run installs them.`,
)
