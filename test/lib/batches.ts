/**
 * Counts a store's LevelDB batch writes: each is one synced write, which is what group commit
 * (daemon/store/group-commit.ts) saves. Returns the count so far.
 */
import type { Store } from '../../daemon/store/index.js'

export function countBatches(store: Store): () => number {
  let batches = 0
  const batch = store.db.batch.bind(store.db)
  store.db.batch = ((...args: Parameters<typeof batch>) => {
    batches++
    return batch(...args)
  }) as typeof batch
  return () => batches
}
