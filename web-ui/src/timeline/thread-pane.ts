/**
 * The thread pane: a thread's root and its replies beside the conversation (at phone width it
 * takes the conversation's place, with Back), and a box to reply in the thread, "also send to
 * the room" optional. Thread replies stay out of the room's timeline (Slack's way), so this is
 * where they are read. Rows are the timeline's own (message-row.ts: text as text nodes), without
 * their tools: the pane reads, replies and closes; reactions and edits stay in the room.
 */
import type { Message, ThreadResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { errorText } from '../app/dom.js'
import { messagesPath } from '../composer/sender.js'
import { renderRow } from './message-row.js'
import { threadSummaryText } from './reply-parts.js'

export interface ThreadPaneParts {
  pane: HTMLElement
  title: HTMLElement
  log: HTMLElement
  older: HTMLButtonElement
  alert: HTMLElement
  form: HTMLFormElement
  textarea: HTMLTextAreaElement
  also: HTMLInputElement
  close: HTMLButtonElement
}

/** Replies read at a time; older ones with "Load older replies". */
const THREAD_PAGE = 50

export class ThreadPane {
  #room = ''
  #root: Message | null = null
  #replies: Message[] = []
  /** Where focus goes back to when the pane closes: the row's tool that opened it. */
  #opener: HTMLElement | null = null

  constructor(
    private readonly api: Api,
    private readonly parts: ThreadPaneParts,
    private readonly me: () => string | null,
  ) {
    parts.close.addEventListener('click', () => this.close())
    parts.pane.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault()
        this.close()
      }
    })
    parts.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.send()
    })
    parts.textarea.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' || ev.shiftKey || ev.altKey || ev.ctrlKey || ev.metaKey || ev.isComposing) return
      ev.preventDefault()
      void this.send()
    })
    parts.older.addEventListener('click', () => void this.loadOlder())
  }

  get isOpen(): boolean {
    return !this.parts.pane.hidden
  }

  /** The root's id of the thread shown, if any. */
  get rootId(): string | null {
    return this.isOpen ? (this.#root?.id ?? null) : null
  }

  /** Opens the thread of `id` (a reply's id opens its root's thread) in `room`. */
  async open(room: string, id: string, opener: HTMLElement | null = null): Promise<void> {
    this.#opener = opener
    this.parts.alert.textContent = ''
    try {
      const res = await this.api.get<ThreadResponse>(`${messagesPath(room)}/${encodeURIComponent(id)}/thread?limit=${THREAD_PAGE}`)
      this.#room = room
      this.#root = res.root
      this.#replies = res.replies
      this.parts.older.hidden = !res.hasOlder
      this.parts.pane.hidden = false
      document.body.classList.add('thread-open')
      this.draw()
      this.parts.textarea.focus()
    } catch (err) {
      this.parts.alert.textContent = `Could not open the thread: ${errorText(err)}`
      this.parts.pane.hidden = false
    }
  }

  close(): void {
    if (this.parts.pane.hidden) return
    this.parts.pane.hidden = true
    document.body.classList.remove('thread-open')
    this.#root = null
    this.#replies = []
    this.parts.log.replaceChildren()
    const back = this.#opener
    this.#opener = null
    if (back?.isConnected) back.focus()
  }

  /** A new or changed message from the live feed: drawn when it belongs to the thread shown. */
  onMessage(m: Message): void {
    const root = this.#root
    if (!root || m.room !== this.#room) return
    if (m.id === root.id) this.#root = m
    else if (m.thread === root.id) {
      const at = this.#replies.findIndex((r) => r.id === m.id)
      if (at >= 0) this.#replies[at] = m
      else this.#replies.push(m)
      this.#replies.sort((a, b) => a.seq - b.seq)
    } else return
    this.draw()
  }

  private async loadOlder(): Promise<void> {
    const root = this.#root
    const oldest = this.#replies[0]
    if (!root || !oldest) return
    try {
      const res = await this.api.get<ThreadResponse>(
        `${messagesPath(this.#room)}/${encodeURIComponent(root.id)}/thread?limit=${THREAD_PAGE}&before=${oldest.seq}`,
      )
      this.#replies = [...res.replies, ...this.#replies]
      this.parts.older.hidden = !res.hasOlder
      this.draw()
    } catch (err) {
      this.parts.alert.textContent = `Could not load older replies: ${errorText(err)}`
    }
  }

  private async send(): Promise<void> {
    const root = this.#root
    const text = this.parts.textarea.value
    if (!root) return
    if (text.trim() === '') {
      this.parts.alert.textContent = 'The reply is empty.'
      return
    }
    this.parts.alert.textContent = ''
    const body = { text, thread: root.id, ...(this.parts.also.checked ? { alsoInRoom: true } : {}) }
    try {
      const res = await this.api.post<{ message: Message }>(messagesPath(this.#room), body)
      if (this.parts.textarea.value === text) this.parts.textarea.value = ''
      this.parts.also.checked = false
      if (res.message && 'seq' in res.message) this.onMessage(res.message)
    } catch (err) {
      this.parts.alert.textContent = `Could not reply: ${errorText(err)}`
    }
  }

  private draw(): void {
    const root = this.#root
    if (!root) return
    const me = this.me()
    const rows = [root, ...this.#replies].map((m) => {
      const row = renderRow(m, m.author === me, me)
      for (const n of row.querySelectorAll('.msg-tools, .thread-summary')) n.remove()
      return row
    })
    rows[0]!.classList.add('thread-root')
    const count = root.replies ? threadSummaryText(root.replies) : 'No replies yet'
    const note = document.createElement('p')
    note.className = 'thread-count'
    note.textContent = count
    this.parts.log.replaceChildren(...rows.slice(0, 1), note, ...rows.slice(1))
    this.parts.title.textContent = `Thread · ${root.author}`
    this.parts.log.lastElementChild?.scrollIntoView({ block: 'nearest' })
  }
}
