/**
 * Views derived from the log: accounts, rooms and their members, each room's messages (as
 * edited, deleted and reacted to) and read positions. `Views` joins the two halves: reads
 * (range reads, and point lookups in `q`) come from `ViewReads` (queries.ts); `apply` turns
 * entries into a batch of changes through a ViewTx (tx.ts), which records what each entry
 * overwrote, and `revertOps` undoes an entry from that record (both in apply.ts).
 */
import type { Entry } from '../../shared/index.js'
import { applyEntries, revertOps } from './apply.js'
import { ViewReads } from './queries.js'
import { ViewTx } from './tx.js'
import type { Op, Sub, UndoStep, ViewSubs } from './types.js'

export class Views extends ViewReads {
  constructor(
    subs: ViewSubs,
    readonly undoRecords: Sub<UndoStep[]>,
  ) {
    super(subs)
  }

  /** `base`: a transaction not yet written whose changes the new one sees (tx.ts). */
  tx(base: ViewTx | null = null): ViewTx {
    return new ViewTx(this.subs, false, base)
  }

  /** Applies entries in order into `tx`, with each one's undo record (see applyEntries). */
  apply(entries: Entry[], tx: ViewTx): Promise<void> {
    return applyEntries(entries, tx, this.undoRecords)
  }

  /** The ops undoing one entry (see revertOps in apply.ts). */
  revertOps(entry: Entry): Promise<Op[]> {
    return revertOps(this.subs, this.undoRecords, entry)
  }
}
