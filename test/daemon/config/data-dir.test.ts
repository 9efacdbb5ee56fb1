/**
 * The data folder is private on every start: one made 0755 beforehand (by hand, by an older
 * version) is 0700 once a daemon has started on it, and what the daemon writes there (LevelDB's
 * files, the socket, runtime info) has no group or other bits, whatever umask it was started with.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { startLocalDaemon } from '../http/local-daemon.js'

// At the top level: a subtest's fixture path is too long for the daemon's unix socket.
const root = t.testdir()

/** Every path under `dir` whose mode lets group or others in. */
function widerThanOwner(dir: string): string[] {
  const wide: string[] = []
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry)
    if (statSync(path).mode & 0o077) wide.push(`${entry} ${(statSync(path).mode & 0o777).toString(8)}`)
  }
  return wide
}

t.test('a data folder made 0755 beforehand is 0700 after a start, and what the daemon writes is owner-only', async (t) => {
  const previous = process.umask(0o022) // the common default: files 0644 unless the daemon narrows it
  t.teardown(() => void process.umask(previous))
  const dataDir = join(root, 'data')
  mkdirSync(dataDir, { mode: 0o755 })
  t.equal(statSync(dataDir).mode & 0o777, 0o755, 'open to all before')
  await startLocalDaemon(t, dataDir, 'private')
  t.equal(statSync(dataDir).mode & 0o777, 0o700, 'private after')
  t.ok(readdirSync(join(dataDir, 'db')).length > 0, 'LevelDB wrote its files')
  t.same(widerThanOwner(dataDir), [], 'nothing inside lets group or others in')
})
