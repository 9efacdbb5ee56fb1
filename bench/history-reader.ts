/**
 * The history scenario's page reader in a process of its own (forked by history.ts), as a
 * person's page is another process than their daemon. Read in the daemon's process, the
 * bench's own fetch and JSON parsing were about half of what a page allocated there (issue 18,
 * bench/README.md), garbage the daemon's scavenges then paid for. Reads some pages untimed
 * first (its connection and compiled code warm, as the bench process's are by then), then
 * `requests` pages one after another, and sends their times; it exits by itself after that,
 * when the bench goes away, or after 10 minutes.
 */
import { READER_WARM_UP, readNewestPages, type ReaderCmd, type ReaderReport } from './history-page.js'
const send = (r: ReaderReport) => process.send!(r)

setTimeout(() => process.exit(2), 10 * 60_000).unref()
process.once('disconnect', () => process.exit(0))
process.once('message', (cmd: ReaderCmd) => {
  const headers = { authorization: `Bearer ${cmd.token}` }
  readNewestPages(cmd.ui, headers, cmd.last, READER_WARM_UP)
    .then(() => readNewestPages(cmd.ui, headers, cmd.last, cmd.requests))
    .then(
      (times) => send({ times }),
      (err: unknown) => send({ error: err instanceof Error ? err.message : String(err) }),
    )
    .finally(() => process.disconnect())
})
