/**
 * A view transaction: the changes one batch of entries makes to the views, read through an
 * overlay (so an entry sees what the entries before it in the same batch did), and, per
 * entry, what each changed key held before. That undo record is what lets a replica take back
 * entries the relay never had (truncation) without knowing how each kind of entry was built.
 *
 * The relay uses the same overlay to validate a batch before ordering it: a name claimed or a
 * room joined earlier in the batch counts for the submissions after it. A batch validated while
 * the one before it is still being written reads through that one's overlay (`base`): what the
 * earlier batch did counts before it is on the disk (relay/sequencer.ts).
 */
import type { Op, UndoStep, ViewName, ViewSubs } from './types.js'

type Slot = { value: unknown } | { deleted: true }

export class ViewTx {
  readonly #overlay = new Map<string, Slot>()
  readonly ops: Op[] = []
  #undo: UndoStep[] = []
  /** Whether the current entry's changes depended on anything already stored. */
  #read = false

  /**
   * `dry`: reading fails; used to find which keys a pure entry writes (see revertOps in apply.ts).
   * `base`: a transaction not yet written whose changes this one sees (read only).
   */
  constructor(
    private readonly subs: ViewSubs,
    private readonly dry = false,
    private base: ViewTx | null = null,
  ) {}

  /** The base is written: read the database from now on (and let the base go). */
  detach(): void {
    this.base = null
  }

  /** What this transaction, or one under it, holds for a key; undefined: ask the database. */
  private slot(at: string): Slot | undefined {
    return this.#overlay.get(at) ?? this.base?.slot(at)
  }

  async get<V>(sub: ViewName, key: string): Promise<V | undefined> {
    if (this.dry) throw new Error(`a dry transaction cannot read ${sub}/${key}`)
    this.#read = true
    const slot = this.slot(`${sub}\0${key}`)
    if (slot) return 'deleted' in slot ? undefined : (slot.value as V)
    // Kept for the rest of the batch: 500 messages to general read its room and its author once.
    const value = (await this.subs[sub].get(key)) as V | undefined
    this.#overlay.set(`${sub}\0${key}`, value === undefined ? { deleted: true } : { value })
    return value
  }

  /** `fresh`: the key is known not to exist (a new seq), so its old value is not read. */
  async put(sub: ViewName, key: string, value: unknown, fresh = false): Promise<void> {
    await this.remember(sub, key, fresh)
    this.#overlay.set(`${sub}\0${key}`, { value })
    this.ops.push({ type: 'put', sublevel: this.subs[sub], key, value })
  }

  async del(sub: ViewName, key: string): Promise<void> {
    await this.remember(sub, key, false)
    this.#overlay.set(`${sub}\0${key}`, { deleted: true })
    this.ops.push({ type: 'del', sublevel: this.subs[sub], key })
  }

  /**
   * The keys of `sub` that start with `prefix`, sorted, as this transaction sees them: the
   * database's, with the batch's earlier puts and deletes laid over them (a room joined
   * earlier in the same batch counts).
   */
  async keysUnder(sub: ViewName, prefix: string): Promise<string[]> {
    if (this.dry) throw new Error(`a dry transaction cannot read ${sub}/${prefix}…`)
    this.#read = true
    const found = new Set<string>()
    for await (const key of this.subs[sub].keys({ gte: prefix, lt: `${prefix}~` })) found.add(key)
    this.layOver(found, sub, `${sub}\0${prefix}`)
    return [...found].sort()
  }

  /** Lays the bases' changes under `sub` and then this one's over `found` (newest last). */
  private layOver(found: Set<string>, sub: ViewName, head: string): void {
    this.base?.layOver(found, sub, head)
    for (const [at, slot] of this.#overlay) {
      if (!at.startsWith(head)) continue
      const key = at.slice(sub.length + 1)
      if ('deleted' in slot) found.delete(key)
      else found.add(key)
    }
  }

  /**
   * The undo steps since the last call (one entry's), and whether that entry was pure: it
   * read nothing, so it only put new keys, and which keys follows from the entry alone.
   */
  takeUndo(): { steps: UndoStep[]; pure: boolean } {
    const taken = { steps: this.#undo, pure: !this.#read }
    this.#undo = []
    this.#read = false
    return taken
  }

  private async remember(sub: ViewName, key: string, fresh: boolean): Promise<void> {
    // Only the first change of a key within one entry matters for undoing that entry.
    if (this.#undo.some((s) => s.sub === sub && s.key === key)) return
    const prev = fresh ? undefined : await this.get(sub, key)
    this.#undo.push(prev === undefined ? { sub, key, absent: true } : { sub, key, prev })
  }
}
