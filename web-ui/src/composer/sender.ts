/**
 * Sending a message, and this person's messages waiting in this machine's outbox.
 *
 * The daemon writes a message to its outbox (on disk) before it waits, up to 8 s, for the
 * relay to confirm it. During a failover that wait is real, and a box that stays busy for
 * seconds with nothing on screen looks broken. So if the answer is slow, the page looks in
 * the outbox: once the message is there it is safe on this computer, so it is shown as
 * pending and the box is freed for the next one. The daemon, not the page, keeps the order.
 */
// Values from limits.js only: shared/index.js would pull zod into the bundle.
import type { FileRef } from '../../../shared/files.js'
import type { Message } from '../../../shared/index.js'
import { GENERAL_ROOM } from '../../../shared/limits.js'
import { ApiError, humanError, type Api } from '../app/api.js'
import { isMessage, isRecord } from '../app/ui-event-model.js'
import type { PendingMessage } from '../timeline/timeline.js'

export function messagesPath(room: string): string {
  return `/api/v1/rooms/${encodeURIComponent(room)}/messages`
}
export const OUTBOX_PATH = '/api/v1/outbox'
/** A normal send answers in milliseconds; only a slower one is worth a look in the outbox. */
export const HAND_OFF_AFTER_MS = 700

/** 201 `{state:'sent', message}` or 202 `{state:'pending', message}` (no seq yet). */
export type SendAnswer = { state: 'sent'; message: Message } | { state: 'pending'; message: PendingMessage }

export function isPendingMessage(v: unknown): v is PendingMessage {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    v.id.length > 0 &&
    typeof v.room === 'string' &&
    typeof v.author === 'string' &&
    typeof v.text === 'string' &&
    typeof v.ts === 'number'
  )
}

/** The answer to a send, or null when it is not one (a daemon this page does not know). */
export function parseSendAnswer(json: unknown): SendAnswer | null {
  if (!isRecord(json)) return null
  // A daemon from before the outbox answered {message} alone, and only once it was sent.
  if ((json.state === 'sent' || json.state === undefined) && isMessage(json.message)) return { state: 'sent', message: json.message }
  if (json.state === 'pending' && isPendingMessage(json.message)) return { state: 'pending', message: json.message }
  return null
}

/**
 * `GET /api/v1/outbox`: the well-formed entries of `{pending: [...]}` that belong in this
 * room and to `me`, oldest first; null when the answer is not that shape at all.
 */
export function parseOutbox(json: unknown, me: string, room: string = GENERAL_ROOM): PendingMessage[] | null {
  if (!isRecord(json) || !Array.isArray(json.pending)) return null
  return json.pending.filter((p): p is PendingMessage => isPendingMessage(p) && p.room === room && p.author === me)
}

export interface SenderView {
  me(): string | null
  /** The room on screen: what is sent goes there, and only its outbox rows are shown. */
  room(): string
  showSent(message: Message): void
  showPending(messages: readonly PendingMessage[]): void
}

export class Sender {
  /** Outbox ids already matched to a send, so two identical texts are not both claimed. */
  private readonly claimed = new Set<string>()

  constructor(
    private readonly api: Api,
    private readonly view: SenderView,
  ) {}

  reset(): void {
    this.claimed.clear()
  }

  /**
   * Posts `text` with `files` (already uploaded) to `room`. `handOff` is called (at most
   * once, and only while the post is still open) when the message is safe in the outbox;
   * after that, a failure of this post is not the composer's to report: the row in the
   * timeline, or a later `failed` event, says it.
   */
  async send(
    text: string,
    files: readonly FileRef[],
    handOff: () => void,
    room = this.view.room(),
    /** What it replies to (timeline/replies.ts). */
    links: { replyTo?: string } = {},
  ): Promise<void> {
    let settled = false
    let handedOff = false
    const timer = setTimeout(
      () =>
        void this.claimFromOutbox(text).then((found) => {
          if (!found || settled) return
          handedOff = true
          handOff()
        }),
      HAND_OFF_AFTER_MS,
    )
    try {
      const answer = parseSendAnswer(
        await this.api.post<unknown>(messagesPath(room), files.length > 0 ? { text, files, ...links } : { text, ...links }),
      )
      if (!answer) throw new ApiError('bad_response', humanError('bad_response'), 200)
      this.claimed.add(answer.message.id)
      if (answer.state === 'sent') this.view.showSent(answer.message)
      else this.view.showPending([answer.message])
    } catch (err) {
      if (!handedOff) throw err
    } finally {
      settled = true
      clearTimeout(timer)
    }
  }

  /** This person's messages in this machine's outbox; null if the outbox could not be read. */
  async fetchPending(): Promise<PendingMessage[] | null> {
    const me = this.view.me()
    if (!me) return null
    try {
      return parseOutbox(await this.api.get<unknown>(OUTBOX_PATH), me, this.view.room())
    } catch {
      // History and the live feed still work; pending rows will show on the next refresh.
      return null
    }
  }

  /** Shows what waits in the outbox; true if `text` is among it (the newest unclaimed match). */
  private async claimFromOutbox(text: string): Promise<boolean> {
    const pending = await this.fetchPending()
    if (!pending) return false
    this.view.showPending(pending)
    const match = pending.filter((p) => p.text === text && !this.claimed.has(p.id)).pop()
    if (!match) return false
    this.claimed.add(match.id)
    return true
  }
}
