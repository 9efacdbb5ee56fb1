/**
 * `sochat start`: runs the daemon in this process until Ctrl-C, SIGTERM (a service manager),
 * SIGHUP (its terminal closed)
 * or `sochat stop` (over the control socket), then closes everything and removes the pid
 * file. In a terminal it logs readable lines and prints the page's address on stdout; as a
 * service it logs JSON lines on stdout (the journal's format) and the address on stderr.
 */
import pino from 'pino'
import type { DaemonConfig } from '../config/index.js'
import { removeOwnPidFile } from './pid-file.js'
import { prettyDestination } from './pretty-log.js'

export async function runStart(config: DaemonConfig): Promise<number> {
  const terminal = process.stdout.isTTY === true
  const log = terminal ? pino({ level: config.logLevel }, prettyDestination(process.stdout)) : pino({ level: config.logLevel })
  // Loaded here (a chunk of its own in the bundle): the daemon takes a few hundred ms to load, which --help and stop need not wait for.
  const { startDaemon } = await import('../daemon.js')
  const daemon = await startDaemon(config, log)
  // A crash too: 'exit' runs on an uncaught error, so no stale file is left but after a kill -9.
  process.once('exit', () => removeOwnPidFile(config.dataDir))
  const running = `SO-CHAT is running. Open ${daemon.ui} in your browser. Data: ${config.dataDir}`
  if (terminal) console.log(`${running}\nStop it with Ctrl-C or \`sochat stop\`.`)
  else console.error(running) // stdout stays JSON lines
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
    process.once('SIGHUP', resolve) // the terminal was closed
    void daemon.stopRequested.then(resolve)
  })
  await daemon.stop()
  removeOwnPidFile(config.dataDir)
  // Everything that matters is closed and synced; idle keep-alive sockets of the neighbour
  // probes would otherwise hold the process for seconds, and a service manager waits for it.
  setImmediate(() => process.exit(0))
  return 0
}
