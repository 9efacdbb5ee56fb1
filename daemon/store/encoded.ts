/**
 * A batch in the form LevelDB stores it: each key behind its sublevel's prefix, each value as
 * the JSON every sublevel of this store keeps (valueEncoding 'json'). abstract-level does the
 * same for each op of a batch, with more around it (a copy of the op, its encodings looked up,
 * the key checked and prefixed, hooks and events considered): in a catch-up that was the largest
 * part of applying a frame (issue 18, bench/README.md). Done here once per op, the bytes
 * written are the same, and reading them back through the sublevels is unchanged.
 */
import type { Op } from './types.js'

/** An op on the root database, its key and value already in LevelDB's utf8 form. */
export type EncodedOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string }

/** The options that make the root database take `EncodedOp`s as they are. */
export const ENCODED = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const

/**
 * `ops` encoded, or null when one is on a sublevel not among `ours` (whose encoding this does
 * not know) or has a key that is not a string: the caller then hands the ops to abstract-level
 * as they are, which writes them or refuses the batch as it always did.
 */
export function encodedOps(ops: Op[], ours: ReadonlySet<object>): EncodedOp[] | null {
  const out: EncodedOp[] = new Array(ops.length)
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!
    if (!ours.has(op.sublevel) || typeof op.key !== 'string') return null
    const key = (op.sublevel as { prefix: string }).prefix + op.key
    if (op.type === 'del') out[i] = { type: 'del', key }
    else {
      const value = JSON.stringify(op.value)
      // A value JSON has no form for (undefined): abstract-level's refusal, as before.
      if (value === undefined) return null
      out[i] = { type: 'put', key, value }
    }
  }
  return out
}
