/**
 * A full disk under the database, survived rather than suffered.
 *
 * LevelDB keeps the first background write that failed (a memtable flush or a compaction that
 * hit ENOSPC, or a synced log write whose sync failed: its `bg_error_`) and refuses every later
 * write with it, even once space is back, until the database is opened again. Reads go on
 * working. So when a write fails for lack of space the store is marked full, and this watcher
 * asks the file system (statfs) every few seconds; once there is room it calls `recover`, which
 * probes with a tiny write and, if LevelDB still refuses, reopens the database (Store.reopen).
 * One line in the log when the disk fills, one when it recovers; `state` is what status shows.
 */
import { EventEmitter } from 'node:events'
import { statfs as fsStatfs } from 'node:fs/promises'
import type { Logger } from 'pino'

/** What `GET /api/v1/status` shows as `disk`. */
export interface DiskState {
  /** A write was refused for lack of space and has not succeeded since. */
  full: boolean
  /** Bytes free to this process on the disk holding the data folder, as of the last look. */
  free: number
}

export interface DiskWatchOptions {
  log?: Logger
  /** How often to look while full (default 2 s). */
  retryMs?: number
  /** How often to look while not full, for status's `free` (default 30 s). */
  idleMs?: number
  /** Free bytes needed before trying again: LevelDB flushes a 4 MiB memtable at once (default 8 MiB). */
  roomBytes?: number
  /** The file system's answer; a seam for tests. */
  statfs?: (dir: string) => Promise<{ bavail: number; bsize: number }>
}

const MIB = 1024 * 1024

/** Emits `changed` when the disk fills and when it has space again. */
export class DiskWatch extends EventEmitter<{ changed: [DiskState] }> {
  #full = false
  #free = 0
  #timer: NodeJS.Timeout | null = null
  #closed = false
  #busy = false
  readonly #opts: Required<Omit<DiskWatchOptions, 'log'>> & { log?: Logger }

  constructor(
    /** The folder whose disk is watched (the database's). */
    readonly dir: string,
    /** Tries writing again (reopening if need be); resolves true once a write went through. */
    private readonly recover: () => Promise<boolean>,
    opts: DiskWatchOptions = {},
  ) {
    super()
    this.#opts = { retryMs: 2000, idleMs: 30_000, roomBytes: 8 * MIB, statfs: fsStatfs, ...opts }
    this.schedule(0)
  }

  get state(): DiskState {
    return { full: this.#full, free: this.#free }
  }

  /** A write failed for lack of space: say so once, and start looking for space. */
  filled(cause: unknown): void {
    if (this.#full || this.#closed) return
    this.#full = true
    const say = () =>
      this.#opts.log?.warn(
        { dataDir: this.dir, free: this.#free, err: cause },
        'the disk is full: writes are refused (507 disk_full) until space is freed; reads go on, nothing saved is lost',
      )
    // The line says what is free now, not at the last look.
    this.#opts
      .statfs(this.dir)
      .then(
        (fs) => {
          this.#free = fs.bavail * fs.bsize
        },
        () => undefined, // then the line carries the last look's figure; the next look says why statfs failed
      )
      .then(say)
    this.schedule(this.#opts.retryMs)
    this.emit('changed', this.state)
  }

  /** A write went through: if the disk was full, it is not any more. */
  wrote(): void {
    if (this.#full) this.recovered()
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }

  /** Looks now (tests, and status after a refusal); resolves once the look is done. */
  async look(): Promise<void> {
    if (this.#busy || this.#closed) return
    this.#busy = true
    try {
      const fs = await this.#opts.statfs(this.dir)
      this.#free = fs.bavail * fs.bsize
      // The probe's own success usually says so already (`wrote`); this is for a recover that did not write.
      if (this.#full && this.#free >= this.#opts.roomBytes && (await this.recover()) && this.#full) this.recovered()
    } catch (err) {
      // Never swallowed: a data folder gone or a reopen that failed is worth a line; the next look retries.
      this.#opts.log?.error({ err, dataDir: this.dir }, 'looking for free space failed; trying again shortly')
    } finally {
      this.#busy = false
    }
  }

  private recovered(): void {
    this.#full = false
    this.#opts.log?.info({ dataDir: this.dir, free: this.#free }, 'the disk has space again: writes work again')
    this.emit('changed', this.state)
  }

  private schedule(ms: number): void {
    if (this.#closed) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      void this.look().then(() => this.schedule(this.#full ? this.#opts.retryMs : this.#opts.idleMs))
    }, ms)
    this.#timer.unref()
  }
}
