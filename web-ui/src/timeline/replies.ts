/**
 * Replies, threads, pins and @room/@here on the page, in one place chat-page.ts wires: the
 * "Replying to alice: …" bar above the composer (its id goes with the next message sent to
 * that room), the row tools (reply, reply in thread, pin, go to the quoted message, open the
 * thread), the thread pane, the header's "Pinned (N)" and its dialog, and the note under the
 * composer when `@room` / `@here` will not notify anyone because the room is too big.
 */
import type { Message, MessageResponse, PinsResponse, RoomSummary } from '../../../shared/index.js'
import { BROADCAST_MENTION_MAX_MEMBERS } from '../../../shared/limits.js'
import { broadcastMention } from '../../../shared/mentions.js'
import type { Api } from '../app/api.js'
import { type Dialog, errorText } from '../app/dom.js'
import { messagesPath } from '../composer/sender.js'
import { PinsDialog } from './pins-dialog.js'
import { quoteText, type ReplyTool } from './reply-parts.js'
import { ThreadPane, type ThreadPaneParts } from './thread-pane.js'

export interface RepliesParts {
  replyBar: HTMLElement
  replyText: HTMLElement
  replyCancel: HTMLButtonElement
  composerText: HTMLTextAreaElement
  broadcastNote: HTMLElement
  pinsButton: HTMLButtonElement
  pinsDialog: Dialog
  pinsList: HTMLElement
  thread: ThreadPaneParts
}

export interface RepliesHost {
  me(): string | null
  room(): RoomSummary | null
  find(id: string): Message | null
  update(message: Message): void
  focusComposer(): void
  /** Goes to a message of the room on screen: revealed, or history loaded around it. */
  jumpTo(id: string): void
  say(text: string): void
}

/** A thread reply not sent to the room too: the thread pane's, not the timeline's. */
export function isThreadOnly(m: Pick<Message, 'thread' | 'alsoInRoom'>): boolean {
  return m.thread !== undefined && !m.alsoInRoom
}

/** Why `@room` / `@here` in `text` will not notify anyone in `room`; '' when it will (or there is none). */
export function broadcastNote(text: string, room: Pick<RoomSummary, 'memberCount'> | null): string {
  const call = broadcastMention(text)
  if (call === null || !room || room.memberCount <= BROADCAST_MENTION_MAX_MEMBERS) return ''
  return `@${call} will not notify anyone here: this room has ${room.memberCount} members, and @room and @here notify only in rooms of up to ${BROADCAST_MENTION_MAX_MEMBERS}. The message is still sent; mention people by name to notify them.`
}

export class Replies {
  readonly thread: ThreadPane
  readonly #pins: PinsDialog
  #replying: { room: string; id: string } | null = null

  constructor(
    private readonly api: Api,
    private readonly parts: RepliesParts,
    private readonly host: RepliesHost,
  ) {
    this.thread = new ThreadPane(api, parts.thread, () => host.me())
    this.#pins = new PinsDialog(api, parts.pinsDialog, parts.pinsList, {
      room: () => host.room()?.id ?? '',
      joined: () => host.room()?.joined ?? false,
      jump: (m) => this.goTo(m),
    })
    parts.replyCancel.addEventListener('click', () => this.cancelReply())
    parts.pinsButton.addEventListener('click', () => void this.#pins.open())
    parts.composerText.addEventListener('input', () => this.syncBroadcastNote())
    parts.composerText.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && this.#replying && parts.composerText.value === '') this.cancelReply()
    })
  }

  /** A row's reply tool was used (message-actions.ts). */
  onTool(tool: ReplyTool, message: Message, button: HTMLElement): void {
    const room = this.host.room()
    if (!room) return
    if (tool === 'jump-quote') return this.host.jumpTo(button.dataset.target ?? '')
    if (tool === 'open-thread' || tool === 'thread') {
      if (tool === 'thread' && !room.joined) return this.host.say('Join the room to reply in threads.')
      return void this.thread.open(room.id, message.id, button)
    }
    if (!room.joined) return this.host.say(tool === 'pin' ? 'Join the room to pin messages.' : 'Join the room to reply.')
    if (tool === 'pin') return void this.pin(message, !message.pinned)
    this.startReply(room.id, message)
  }

  /** What the next message sent to `room` carries: the reply's id, taken (the bar closes). */
  takeLinks(room: string): { replyTo?: string } {
    const replying = this.#replying
    if (!replying || replying.room !== room) return {}
    this.cancelReply()
    return { replyTo: replying.id }
  }

  /**
   * A message of the room on screen, new (the live feed, a send) or `updated`: the thread pane
   * takes its copy, the pin count follows a changed pin; true when it stays out of the timeline.
   */
  sideline(m: Message, updated: boolean): boolean {
    this.thread.onMessage(m)
    if (updated) {
      const before = this.host.find(m.id)
      if (!before || Boolean(before.pinned) !== Boolean(m.pinned)) void this.countPins()
    }
    return isThreadOnly(m)
  }

  /** The room on screen (switched, or its details changed). */
  roomShown(room: RoomSummary, switched: boolean): void {
    if (switched) {
      this.thread.close()
      this.cancelReply()
    }
    this.showPinCount(room.pins ?? 0)
    this.syncBroadcastNote()
  }

  /** Log-out: nothing of the last person's threads, reply or pins stays on screen. */
  reset(): void {
    this.thread.close()
    this.cancelReply()
    this.parts.pinsDialog.close()
  }

  private startReply(room: string, message: Message): void {
    const words = quoteText({ id: message.id, state: 'shown', author: message.author, text: message.text.split('\n', 1)[0] ?? '' })
    this.#replying = { room, id: message.id }
    this.parts.replyText.textContent = `Replying to ${words.author}: ${words.text}`
    this.parts.replyBar.hidden = false
    this.host.focusComposer()
  }

  private cancelReply(): void {
    this.#replying = null
    this.parts.replyBar.hidden = true
    this.parts.replyText.textContent = ''
  }

  private async pin(message: Message, on: boolean): Promise<void> {
    try {
      const res = await this.api.call<MessageResponse>('PUT', `${messagesPath(message.room)}/${encodeURIComponent(message.id)}/pin`, { on })
      this.host.update(res.message)
      this.host.say(on ? 'Pinned for everyone in the room.' : 'Unpinned.')
      await this.countPins()
    } catch (err) {
      this.host.say(`Could not ${on ? 'pin' : 'unpin'} it: ${errorText(err)}`)
    }
  }

  private goTo(m: Message): void {
    if (isThreadOnly(m) && m.thread) void this.thread.open(m.room, m.thread)
    else this.host.jumpTo(m.id)
  }

  private async countPins(): Promise<void> {
    const room = this.host.room()
    if (!room) return
    try {
      const res = await this.api.get<PinsResponse>(`/api/v1/rooms/${encodeURIComponent(room.id)}/pins`)
      if (this.host.room()?.id === room.id) this.showPinCount(res.pins.length)
    } catch (err) {
      console.warn('counting pinned messages failed', err)
    }
  }

  private showPinCount(count: number): void {
    this.parts.pinsButton.textContent = `📌 Pinned (${count})`
    this.parts.pinsButton.setAttribute('aria-label', `Pinned messages, ${count}`)
  }

  private syncBroadcastNote(): void {
    const note = broadcastNote(this.parts.composerText.value, this.host.room())
    if (this.parts.broadcastNote.textContent !== note) this.parts.broadcastNote.textContent = note
    this.parts.broadcastNote.hidden = note === ''
  }
}
