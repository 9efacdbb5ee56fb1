/**
 * How the index follows the replica (daemon.ts wires it). Live batches are indexed as they are
 * applied; a backlog (a replica back after days away, catching up on a relay's welcome) is
 * applied first and indexed after it, read from the log in batches, with the search box saying
 * "still indexing: N of M" meanwhile: indexing costs CPU the catch-up would otherwise have
 * (about 7% of its rate on 2 cores, bench/RESULTS.md), and nothing needs the index sooner.
 */
import type { Entry } from '../../shared/index.js'
import type { Replica } from '../replica/index.js'
import type { Indexer } from './indexer.js'

export function indexAsApplied(replica: Replica, indexer: Indexer): void {
  replica.on('applied', (entries: Entry[]) => {
    if (!replica.catchingUp) indexer.applied(entries)
  })
  replica.on('truncated', (removed: Entry[]) => indexer.truncated(removed))
  replica.on('caughtUp', () => indexer.pump())
}
