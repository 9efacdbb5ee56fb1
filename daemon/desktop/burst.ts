/**
 * Which notifications a stream of new messages becomes. Fifty messages in a second are one
 * summary, not fifty pop-ups; a mention of the person is shown on its own and at once, because
 * it is the one message they asked to be interrupted for, but only the first few in a window:
 * someone posting "@bob" a thousand times gets one summary, not a thousand pop-ups.
 */
import { mentionedNames } from '../../shared/index.js'

/** Mentions shown on their own per window; more are folded into the summary. */
export const MENTIONS_PER_WINDOW = 3

export interface Arrival {
  /** The room's id: where a click takes the person. */
  room: string
  /** How the room is named in a sentence: "#design", "a direct message". */
  where: string
  author: string
  text: string
  /** The message names the desktop account (`@name`). */
  mention: boolean
}

export interface Note {
  title: string
  body: string
  /** Where a click on the notification should take the person. */
  room: string
  mention: boolean
}

const PREVIEW_CHARS = 120

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const chars = [...flat]
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : flat
}

/** `@alice` names alice (any case); `@alicex`, `@alice.b` and `mail@alice` do not. */
export function mentions(text: string, username: string): boolean {
  const me = username.toLowerCase()
  return mentionedNames(text).some((n) => n.toLowerCase() === me)
}

export function single(a: Arrival): Note {
  const title = a.mention ? `${a.author} mentioned you in ${a.where}` : `${a.author} in ${a.where}`
  return { title, body: preview(a.text) || '(empty message)', room: a.room, mention: a.mention }
}

export function summary(all: Arrival[]): Note {
  const rooms = [...new Set(all.map((a) => a.room))]
  const authors = [...new Set(all.map((a) => a.author))]
  const from = authors.length <= 3 ? authors.join(', ') : `${authors.slice(0, 2).join(', ')} and ${authors.length - 2} others`
  const last = all[all.length - 1]!
  const where = rooms.length === 1 ? last.where : `${rooms.length} rooms`
  return {
    title: `${all.length} new messages in ${where}`,
    body: `From ${from}. Latest, ${last.author}: ${preview(last.text)}`,
    room: last.room,
    mention: false,
  }
}

/** Collects arrivals for `windowMs` after the first, then shows one note for all of them. */
export class Burst {
  #pending: Arrival[] = []
  #timer: NodeJS.Timeout | null = null
  #mentionsShown = 0

  constructor(
    private readonly show: (note: Note) => void,
    private readonly windowMs: number,
  ) {}

  add(a: Arrival): void {
    if (a.mention && this.#mentionsShown < MENTIONS_PER_WINDOW) {
      this.#mentionsShown++
      this.show(single(a))
    } else {
      this.#pending.push({ ...a, mention: false })
    }
    this.#timer ??= setTimeout(() => this.flush(), this.windowMs)
  }

  /** Shows what has been collected (called by the timer, and on shutdown). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#mentionsShown = 0
    const all = this.#pending
    this.#pending = []
    if (all.length === 1) this.show(single(all[0]!))
    else if (all.length > 1) this.show(summary(all))
  }

  /** Drops what was collected: the person turned on Do not disturb or opened the page. */
  discard(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#mentionsShown = 0
    this.#pending = []
  }
}
