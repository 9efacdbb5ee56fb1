/**
 * Runs node scripts inside a host namespace. The test process lives in the root namespace and
 * cannot reach namespace addresses, so anything that must talk over the simulated LAN (raw
 * peer-link probes, connectivity checks) runs as a small script "on" a host.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'

/**
 * The environment for processes we start: tap's own variables (NODE_OPTIONS loads its
 * process-info hook, TAP=1 changes reporters) must not leak into a daemon under test.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k === 'TAP' || k.startsWith('TAP_') || k.startsWith('_TAPJS_')) continue
    env[k] = v
  }
  return env
}

function nodeArgs(ns: string, script: string, args: string[]): string[] {
  // tsx resolves from cwd (the repo root), so fixtures can be TypeScript sharing shared/.
  return ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, ...args]
}

/** Runs `script` to completion in `ns`, bounded; resolves with its stdout. */
export function runInNs(ns: string, cwd: string, script: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const opts = { cwd, env: cleanEnv(), timeout: timeoutMs, killSignal: 'SIGKILL' as const, maxBuffer: 16 * 1024 * 1024 }
    execFile('ip', nodeArgs(ns, script, args), opts, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} in ${ns} failed: ${err.message}\n${String(stderr).slice(-2_000)}`))
      else resolve(String(stdout))
    })
  })
}

/** Starts `script` in `ns` and leaves it running; the caller kills it (the LAN also does). */
export function spawnInNs(ns: string, cwd: string, script: string, args: string[]): ChildProcess {
  return spawn('ip', nodeArgs(ns, script, args), { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Parses the JSON lines a fixture printed. */
export function jsonLines<T = unknown>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as T)
}
