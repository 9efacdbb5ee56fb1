/**
 * What a person can do to a message from its row: toggle a reaction chip, add one from the
 * popover, edit or delete their own (deleting asks first). One click listener on the log
 * serves every row. The row shows the daemon's answer; the `updated` event that follows for
 * everyone is then a no-op here.
 */
import type { Message, MessageResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { type Dialog, errorText } from '../app/dom.js'
import { ReactionPicker } from './reaction-picker.js'
import { reactedBy, toggled } from './reactions-model.js'
import type { Tool } from './message-row.js'
import { REPLY_TOOLS, type ReplyTool } from './reply-parts.js'
import { messagesPath } from '../composer/sender.js'
import type { Timeline } from './timeline.js'

export interface ActionsHost {
  me(): string | null
  room(): string
  /** Reacting needs membership: a previewed public room only shows its reactions. */
  joined(): boolean
  edit(message: Message): void
  say(text: string): void
  /** Reply, reply in thread, pin, go to a quote, open a thread (replies.ts). */
  replyTool?(tool: ReplyTool, message: Message, button: HTMLElement): void
}

export class MessageActions {
  private readonly picker = new ReactionPicker()
  private deleting: Message | null = null

  constructor(
    private readonly api: Api,
    private readonly timeline: Timeline,
    private readonly log: HTMLElement,
    private readonly confirm: Dialog,
    confirmButton: HTMLButtonElement,
    private readonly host: ActionsHost,
  ) {
    log.addEventListener('click', (ev) => this.onClick(ev))
    confirmButton.addEventListener('click', () => void this.confirmDelete())
  }

  closePopups(): void {
    this.picker.close(false)
    this.confirm.close()
  }

  private onClick(ev: MouseEvent): void {
    const b = (ev.target as Element | null)?.closest<HTMLButtonElement>('button[data-tool]')
    const id = b?.closest<HTMLElement>('.msg')?.dataset.id
    const message = id ? this.timeline.find(id) : null
    if (!b) return this.tapped(ev.target as Element | null)
    if (!message) return
    const tool = b.dataset.tool as Tool
    if (REPLY_TOOLS.includes(tool)) return this.host.replyTool?.(tool as ReplyTool, message, b)
    if (tool === 'react') return void this.toggle(message, b.dataset.emoji ?? '')
    if (tool === 'add-reaction') return this.picker.open(b, (emoji) => void this.react(message.id, emoji, true))
    if (tool === 'edit') return this.host.edit(message)
    if (tool === 'delete') {
      this.deleting = message
      this.confirm.open(this.confirm.el.querySelector<HTMLButtonElement>('[data-close]') ?? undefined)
    }
  }

  /**
   * A tap on a message (not on a link or button in it) shows its tools, at phone width where
   * there is no hover (style.css draws `tools-open` only there); a second tap, or a tap on
   * another message, hides them. Keyboard users reach the tools with Tab (row-keys.ts).
   */
  private tapped(target: Element | null): void {
    if (!target || target.closest('a, button, input, textarea, select')) return
    const row = target.closest<HTMLElement>('article.msg')
    for (const open of this.log.querySelectorAll<HTMLElement>('article.msg.tools-open')) {
      if (open !== row) open.classList.remove('tools-open')
    }
    row?.classList.toggle('tools-open')
  }

  private toggle(message: Message, emoji: string): Promise<void> {
    const mine = message.reactions?.find((r) => r.emoji === emoji)
    return this.react(message.id, emoji, !(mine && reactedBy(mine, this.host.me())))
  }

  private async react(id: string, emoji: string, on: boolean): Promise<void> {
    const me = this.host.me()
    const message = this.timeline.find(id)
    if (!me || !message) return
    if (!this.host.joined()) return this.host.say('Join the room to react to messages.')
    // Shown at once: a chip that waits for a round trip feels broken. The answer replaces it.
    this.timeline.update({ ...message, reactions: toggled(message.reactions ?? [], emoji, me, on) })
    try {
      const res = await this.api.call<MessageResponse>('PUT', `${this.path(id)}/reaction`, { emoji, on })
      this.timeline.update(res.message)
    } catch (err) {
      this.timeline.update(message)
      this.host.say(`Could not react: ${errorText(err)}`)
    }
  }

  private async confirmDelete(): Promise<void> {
    const message = this.deleting
    if (!message) return this.confirm.close()
    try {
      const res = await this.api.call<MessageResponse>('DELETE', this.path(message.id))
      this.deleting = null
      this.confirm.close()
      this.timeline.update(res.message)
      // Its Delete button is gone with what it said: the row itself keeps the reader's place.
      const row = this.log.querySelector<HTMLElement>(`[data-id="${CSS.escape(message.id)}"]`)
      if (row) {
        row.tabIndex = -1
        row.focus()
      }
    } catch (err) {
      this.confirm.say(`Could not delete it: ${errorText(err)}`)
    }
  }

  private path(id: string): string {
    return `${messagesPath(this.host.room())}/${encodeURIComponent(id)}`
  }
}
