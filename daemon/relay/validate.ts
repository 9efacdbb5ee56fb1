/**
 * What a submission must satisfy to enter the log, checked by the relay against its views as
 * they will be after the submissions before it in the same batch (a ViewTx overlay). Schema
 * checks already happened at the link boundary; the rules live in daemon/rooms.
 */
import type { Entry, Submission } from '../../shared/index.js'
import { check, type Verdict } from '../rooms/index.js'
import { ViewQueries, type Views, type ViewTx } from '../store/index.js'

export type { Verdict } from '../rooms/index.js'

/** A batch being validated: the views plus what its accepted submissions did to them. */
export class BatchState {
  readonly #tx: ViewTx
  readonly #q: ViewQueries

  constructor(private readonly views: Views) {
    this.#tx = views.tx()
    this.#q = new ViewQueries((sub, key) => this.#tx.get(sub, key))
  }

  validate(s: Submission): Promise<Verdict> {
    return check(s.body, this.#q)
  }

  /** Counts an accepted entry for the submissions after it. */
  accept(entry: Entry): Promise<void> {
    return this.views.apply([entry], this.#tx)
  }
}
