/**
 * `sochat stop`: asks the daemon itself to stop, over its control socket
 * (POST /api/v1/control/stop, obeyed only on that socket), then waits for its process to end.
 * It never sends a signal: the pid in sochatd.json may be stale and name any process now.
 * Each "nothing to stop" case has one line and its own exit status (STOP_EXIT).
 */
import { stat } from 'node:fs/promises'
import { runtimeFile, socketPath } from '../config/index.js'
import { askDaemon } from './control.js'
import { readPidFile, removePidFile } from './pid-file.js'

/** Exit statuses of `sochat stop`; 1 is a failure, 2 a usage error (as for every command). */
export const STOP_EXIT = { stopped: 0, neverStarted: 3, notRunning: 4, staleFile: 5 } as const

const STOP_WAIT_MS = 20_000

export const STOP_HELP = `Exit status: 0 stopped; 3 nothing to stop, no data folder there (never started);
4 nothing to stop, not running; 5 nothing to stop, a stale sochatd.json was removed (the pid
it named was not signalled); 1 the daemon did not answer or did not stop in ${STOP_WAIT_MS / 1000} s.`

interface StopAnswer {
  stopping: boolean
  pid: number
}

export async function stopDaemon(dataDir: string, say: (line: string) => void): Promise<number> {
  if (!(await stat(dataDir).catch(() => null))) {
    say(
      `Nothing to stop: there is no SO-CHAT data folder at ${dataDir}, so no daemon was ever started there (choose the folder with --data-dir).`,
    )
    return STOP_EXIT.neverStarted
  }
  const file = await readPidFile(dataDir)
  const answer = await askDaemon<StopAnswer | { error: { message: string } }>(socketPath(dataDir), 'POST', '/api/v1/control/stop')
  if (answer.kind === 'absent') {
    if (file === null) {
      say(`Nothing to stop: the SO-CHAT daemon for ${dataDir} is not running.`)
      return STOP_EXIT.notRunning
    }
    await removePidFile(dataDir)
    say(
      `Nothing to stop: no daemon answers for ${dataDir}, so ${runtimeFile(dataDir)} was stale (left by a daemon that was killed or crashed); removed it${file.pid === undefined ? '' : `, and did not touch pid ${file.pid}`}.`,
    )
    return STOP_EXIT.staleFile
  }
  if (answer.kind === 'silent') {
    throw new Error(
      `Something holds ${socketPath(dataDir)} but did not answer within 5 s: the daemon may be hung.${file?.pid ? ` sochatd.json names pid ${file.pid}; check it is SO-CHAT (ps -p ${file.pid}) before ending it yourself.` : ''}`,
    )
  }
  if (answer.status !== 200 || !('pid' in answer.body)) {
    const message = 'error' in answer.body ? answer.body.error.message : `status ${answer.status}`
    throw new Error(`The daemon refused to stop: ${message}`)
  }
  const { pid } = answer.body
  if (!(await exited(pid, dataDir, STOP_WAIT_MS)))
    throw new Error(`Asked the daemon (pid ${pid}) to stop; it is still shutting down after ${STOP_WAIT_MS / 1000} s.`)
  say(`Stopped the SO-CHAT daemon (pid ${pid}).`)
  return STOP_EXIT.stopped
}

/** True once the process is gone and its pid file with it (it removes the file last). */
async function exited(pid: number, dataDir: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    if (!isAlive(pid) && (await readPidFile(dataDir))?.pid !== pid) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/** Signal 0 delivers nothing: it only asks the kernel whether the process exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
