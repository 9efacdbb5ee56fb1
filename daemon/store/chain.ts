/**
 * The SHA-256 hash chain of shared/chain.ts, computed with node:crypto (the page cannot, so it
 * is not in shared/). Pure functions; log.ts keeps chain(seq) beside each entry, written in
 * the same synced batch.
 */
import * as crypto from 'node:crypto'
import { CHAIN_CONTEXT, entryText, type Entry } from '../../shared/index.js'

// One-shot `crypto.hash` (Node 20.12 and later) is about a third faster than createHash for
// short inputs, which is what each chain step hashes; older Node 20 falls back.
const oneShot = (crypto as { hash?: (algorithm: string, data: crypto.BinaryLike, encoding: 'buffer') => Buffer }).hash
const sha256 = (data: Buffer | string): Buffer =>
  oneShot ? oneShot('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest()

/** chain(0): the same on every machine, and for nothing but this use. */
export const GENESIS: string = sha256(CHAIN_CONTEXT).toString('hex')

/** chain(seq) from chain(seq - 1) and the entry at seq. */
export function chainStep(prev: string, entry: Entry): string {
  return step(Buffer.from(prev, 'hex'), entry).toString('hex')
}

/** The chain value after each of `entries`, which follow `prev`'s position without a gap. */
export function chainOver(prev: string, entries: Entry[]): string[] {
  const out: string[] = []
  let c: Buffer = Buffer.from(prev, 'hex')
  for (const entry of entries) {
    c = step(c, entry)
    out.push(c.toString('hex'))
  }
  return out
}

function step(prev: Buffer, entry: Entry): Buffer {
  return sha256(Buffer.concat([prev, sha256(entryText(entry))]))
}
