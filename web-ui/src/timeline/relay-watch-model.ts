/**
 * "The relay moved to h3": a short, polite notice when the machine every message passes
 * through changes, so a person who saw a hiccup knows what happened and that chat goes on.
 * The sidebar always shows the current relay; this only tells the change, then fades.
 *
 * This is the pure part (tested in Node): what is worth saying. relay-notice.ts shows it.
 */
import type { Status } from '../../../shared/index.js'

export type RelayView = Pick<Status, 'role' | 'relayId' | 'relayName' | 'name'>

export const LOOKING_TEXT = 'Looking for a relay…'
export const THIS_MACHINE_TEXT = 'This machine is now the relay.'

/** Turns a sequence of statuses into what is worth saying, or null for "nothing changed". */
export class RelayWatch {
  private started = false
  /** The last relay this page had, kept through a gap to tell "moved" from "back". */
  private known: string | null = null
  private looking = false

  reset(): void {
    this.started = false
    this.known = null
    this.looking = false
  }

  next(status: RelayView): string | null {
    const id = status.role === 'electing' ? null : (status.relayId ?? null)
    if (!this.started) {
      // The first status is how things are, not a change: the sidebar says it.
      this.started = true
      this.known = id
      this.looking = id === null
      return null
    }
    if (id === null) {
      if (this.looking) return null
      this.looking = true
      return LOOKING_TEXT
    }
    const mine = status.role === 'relay'
    // A new client knows its relay's id a moment before its name: wait for the name.
    if (!mine && !status.relayName) return null
    const wasLooking = this.looking
    this.looking = false
    if (id === this.known) {
      if (!wasLooking) return null
      return mine ? 'This machine is the relay again.' : `Connected to the relay ${status.relayName} again.`
    }
    const had = this.known
    this.known = id
    if (mine) return THIS_MACHINE_TEXT
    return had === null ? `Connected to the relay ${status.relayName}.` : `The relay moved to ${status.relayName}.`
  }
}
