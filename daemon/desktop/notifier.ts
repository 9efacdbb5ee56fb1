/**
 * OS notifications through node-notifier: notify-send (libnotify) on Linux, Notification
 * Center on macOS, toasts on Windows. A daemon without a notification service (a headless
 * server, no `notify-send`, no D-Bus session) says so once in the log and keeps running.
 */
import notifier from 'node-notifier'
import type { Logger } from 'pino'
import type { Note } from './burst.js'

export interface NotificationSink {
  show(note: Note): void
}

export class OsNotifier implements NotificationSink {
  #failures = 0

  /** `onClick` gets the room of a clicked notification (macOS and Windows report clicks). */
  constructor(
    private readonly log: Logger,
    private readonly onClick: (room: string) => void,
  ) {}

  show(note: Note): void {
    // notify-send cannot report a click, and waiting for one would keep a process per note.
    const wait = process.platform !== 'linux'
    // notify-send's own flags ride along; node-notifier passes unknown keys to each backend.
    const platformFlags =
      process.platform === 'linux' ? { 'app-name': 'SO-CHAT', category: 'im.received', urgency: note.mention ? 'critical' : 'normal' } : {}
    // Linux notification servers read the body as markup: a message's "<b>" stays text.
    // A zero-width space keeps a body like "--help" from being read as an option of notify-send.
    const body = note.body.startsWith('-') ? `\u200b${note.body}` : note.body
    const message = process.platform === 'linux' ? escapeMarkup(body) : body
    notifier.notify({ title: note.title, message, wait, ...platformFlags } as notifier.Notification, (err, response) => {
      if (err) return this.failed(err)
      this.log.debug({ title: note.title }, 'notification shown')
      if (response === 'activate') this.onClick(note.room)
    })
  }

  private failed(err: Error): void {
    this.#failures++
    if (this.#failures > 1) {
      this.log.debug({ err, failures: this.#failures }, 'notification not shown')
      return
    }
    const hint =
      process.platform === 'linux'
        ? 'Notifications need a desktop session (DBUS_SESSION_BUS_ADDRESS) and notify-send (apt-get install libnotify-bin).'
        : 'Check that notifications are allowed for SO-CHAT in the system settings.'
    this.log.warn({ err }, `Could not show a notification; the chat keeps working without them. ${hint}`)
  }
}

export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
