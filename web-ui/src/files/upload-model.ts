/**
 * One file's upload, as a state machine over a transport (the daemon's resumable upload API
 * in the page, a fake in the Node tests): announce, send pieces from the offset the daemon
 * has, finish. A dropped connection is normal on a LAN (Wi-Fi, a laptop lid), so a failed
 * piece is not the end: after a growing pause the page asks the daemon how much arrived and
 * goes on from there, a few times. A refusal (too large, disk full, a broken picture) is
 * final and said in the daemon's words. Cancel abandons the upload on the daemon too.
 */
import type { FileRef } from '../../../shared/files.js'
import type { PictureEdit } from '../../../shared/picture-edit.js'
import { ApiError } from '../app/api.js'

/** What is sent: a File in the page; anything with a name, size and slices in tests. */
export interface UploadSource<P> {
  readonly name: string
  readonly size: number
  readonly type: string
  slice(start: number, end: number): P
}

export interface UploadTransport<P> {
  /** `edit`: a picture edit the daemon applies when the upload finishes (picture-editor.ts). */
  start(file: { name: string; size: number; mime: string; edit?: PictureEdit }): Promise<{ id: string }>
  /** Sends the bytes of `piece` from `offset`; resolves with the daemon's new offset. */
  send(id: string, offset: number, piece: P, onProgress: (sentOfPiece: number) => void, signal: AbortSignal): Promise<number>
  /** How many bytes of the upload the daemon has. */
  offset(id: string): Promise<number>
  finish(id: string): Promise<FileRef>
  cancel(id: string): Promise<void>
}

export type UploadState =
  | { phase: 'uploading'; sent: number; size: number }
  /** The connection dropped; `attempt` of MAX_RETRIES, going on from the daemon's offset. */
  | { phase: 'retrying'; sent: number; size: number; attempt: number }
  /** All bytes are there; the daemon is checking (and, for a picture, resizing) it. */
  | { phase: 'finishing'; size: number }
  | { phase: 'done'; file: FileRef }
  | { phase: 'failed'; reason: string }
  | { phase: 'cancelled' }

/** Pieces this big: a dropped connection loses at most one piece's progress in the worst case. */
export const PIECE_BYTES = 8 * 1024 * 1024
export const MAX_RETRIES = 5

/** 0.5 s, 1 s, 2 s, 4 s, 8 s: enough to ride out a daemon restart or a Wi-Fi hiccup. */
export function retryDelay(attempt: number): number {
  return 500 * 2 ** Math.max(0, attempt - 1)
}

/** Worth trying again: the connection, a piece from a stale offset, or a daemon hiccup. */
export function isRetriable(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'network' || err.code === 'upload_offset_mismatch' || err.code === 'internal')
}

/** Whole percent of the bytes sent, for the bar and its label; an empty file is complete. */
export function percent(sent: number, size: number): number {
  return size <= 0 ? 100 : Math.min(100, Math.floor((sent / size) * 100))
}

/** The words under a chip for each state (the bar carries the number itself). */
export function stateText(state: UploadState): string {
  switch (state.phase) {
    case 'uploading':
      return `Uploading, ${percent(state.sent, state.size)}%`
    case 'retrying':
      return `Connection lost; resuming (try ${state.attempt} of ${MAX_RETRIES})…`
    case 'finishing':
      return 'Checking the file…'
    case 'done':
      return 'Ready to send'
    case 'failed':
      return `Not uploaded: ${state.reason}`
    case 'cancelled':
      return 'Cancelled'
  }
}

class Cancelled extends Error {}

export interface UploadOptions {
  /** Waits; a parameter so tests need not. */
  sleep?: (ms: number) => Promise<void>
  pieceBytes?: number
  /** Sent with the announcement: the picture is edited by the daemon when it finishes. */
  edit?: PictureEdit
}

export class Upload<P> {
  private id: string | null = null
  private cancelled = false
  /** DELETE sent: once only (a second would be refused, the upload being gone). */
  private abandoned = false
  private readonly abort = new AbortController()
  private current: UploadState
  /** Settles when the upload ends: the FileRef, or null when it failed or was cancelled. */
  readonly done: Promise<FileRef | null>

  constructor(
    private readonly source: UploadSource<P>,
    private readonly transport: UploadTransport<P>,
    private readonly onChange: (state: UploadState) => void,
    private readonly opts: UploadOptions = {},
  ) {
    this.current = { phase: 'uploading', sent: 0, size: source.size }
    this.done = this.run()
  }

  get state(): UploadState {
    return this.current
  }

  /** Abandons the upload, here and on the daemon (if it was announced). */
  cancel(): void {
    if (this.cancelled || this.current.phase === 'done' || this.current.phase === 'failed') return
    this.cancelled = true
    this.abort.abort()
    this.set({ phase: 'cancelled' })
    this.abandon()
  }

  private abandon(): void {
    if (!this.id || this.abandoned) return
    this.abandoned = true
    void this.transport.cancel(this.id).catch(() => undefined)
  }

  private set(state: UploadState): void {
    if (this.current.phase === 'cancelled') return
    this.current = state
    this.onChange(state)
  }

  private async run(): Promise<FileRef | null> {
    try {
      const { name, size, type } = this.source
      const { id } = await this.transport.start(
        this.opts.edit ? { name, size, mime: type, edit: this.opts.edit } : { name, size, mime: type },
      )
      this.id = id
      // Cancelled while announcing: the daemon made an upload nobody will finish.
      if (this.cancelled) throw new Cancelled()
      await this.sendAll(id)
      this.set({ phase: 'finishing', size })
      const file = await this.transport.finish(id)
      if (this.cancelled) throw new Cancelled()
      this.set({ phase: 'done', file })
      return file
    } catch (err) {
      if (this.cancelled || err instanceof Cancelled) {
        this.abandon()
        return null
      }
      this.set({ phase: 'failed', reason: err instanceof Error ? err.message : String(err) })
      return null
    }
  }

  /** Pieces from the daemon's offset until it has every byte; a few retries for dropped ones. */
  private async sendAll(id: string): Promise<void> {
    const size = this.source.size
    const pieceBytes = this.opts.pieceBytes ?? PIECE_BYTES
    let offset = 0
    let failures = 0
    while (offset < size) {
      if (this.cancelled) throw new Cancelled()
      const from = offset
      try {
        const piece = this.source.slice(from, Math.min(size, from + pieceBytes))
        offset = await this.transport.send(
          id,
          from,
          piece,
          (n) => this.set({ phase: 'uploading', sent: from + n, size }),
          this.abort.signal,
        )
        // A daemon that answers without taking anything would otherwise keep us here forever.
        if (!(offset > from && offset <= size)) throw new ApiError('network', 'The daemon did not say how much of the file it has.', 0)
        failures = 0
        this.set({ phase: 'uploading', sent: offset, size })
      } catch (err) {
        if (this.cancelled) throw new Cancelled()
        if (!isRetriable(err) || ++failures > MAX_RETRIES) throw err
        offset = await this.resume(id, from, failures)
      }
    }
  }

  /** After a pause, what the daemon really has: the next piece starts there. */
  private async resume(id: string, from: number, attempt: number): Promise<number> {
    this.set({ phase: 'retrying', sent: from, size: this.source.size, attempt })
    await (this.opts.sleep ?? wait)(retryDelay(attempt))
    if (this.cancelled) throw new Cancelled()
    try {
      return await this.transport.offset(id)
    } catch (err) {
      // Still unreachable: the next send from the old offset fails too and counts as a try.
      if (isRetriable(err)) return from
      throw err
    }
  }
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
