/**
 * The SHA-256 hash chain of shared/chain.ts, computed with node:crypto (the page cannot, so it
 * is not in shared/). Pure functions; log.ts keeps chain(seq) beside each entry, written in
 * the same synced batch.
 */
import { createHash } from 'node:crypto'
import { CHAIN_CONTEXT, entryText, type Entry } from '../../shared/index.js'

/** chain(0): the same on every machine, and for nothing but this use. */
export const GENESIS: string = createHash('sha256').update(CHAIN_CONTEXT).digest('hex')

/** chain(seq) from chain(seq - 1) and the entry at seq. */
export function chainStep(prev: string, entry: Entry): string {
  const leaf = createHash('sha256').update(entryText(entry)).digest()
  return createHash('sha256').update(Buffer.from(prev, 'hex')).update(leaf).digest('hex')
}

/** The chain value after each of `entries`, which follow `prev`'s position without a gap. */
export function chainOver(prev: string, entries: Entry[]): string[] {
  const out: string[] = []
  let c = prev
  for (const entry of entries) {
    c = chainStep(c, entry)
    out.push(c)
  }
  return out
}
