/**
 * OS notifications. On Linux, libnotify's `notify-send` run by the daemon itself (notify-send.ts),
 * so a click opens the page at the room; with a notify-send older than 0.8 (no `--action`)
 * the daemon says so once and shows notes that cannot be clicked, through node-notifier, as
 * on macOS (Notification Center) and Windows (toasts), where node-notifier reports clicks. A
 * daemon without a notification service (a headless server, no `notify-send`, no D-Bus
 * session) says so once in the log and keeps running. node-notifier (with semver, uuid and
 * which: about a hundred files) is loaded at the first note it shows, not at start.
 */
import type { Notification } from 'node-notifier'
import type { Logger } from 'pino'
import type { Note } from './burst.js'
import { escapeMarkup, NotifySend, notOption, probeNotifySend, type NotifySendSupport } from './notify-send.js'

export interface NotificationSink {
  show(note: Note): void
  /** Ends what waits for clicks (the daemon is stopping). */
  close?(): void
}

export interface OsNotifierOptions {
  platform?: NodeJS.Platform
  /** The notify-send to run on Linux (tests point it at a recorder). */
  notifySend?: string
}

export class OsNotifier implements NotificationSink {
  #failures = 0
  readonly #platform: NodeJS.Platform
  /** Linux: notify-send 0.8 or newer, once the probe said so; null before or without. */
  #clickable: NotifySend | null = null
  #probe: Promise<NotifySendSupport> | null = null
  #nodeNotifier: Promise<typeof import('node-notifier')> | null = null

  /** `onClick` gets the room of a clicked notification. */
  constructor(
    private readonly log: Logger,
    private readonly onClick: (room: string) => void,
    private readonly opts: OsNotifierOptions = {},
  ) {
    this.#platform = opts.platform ?? process.platform
  }

  show(note: Note): void {
    if (this.#platform !== 'linux') return this.viaNodeNotifier(note)
    if (this.#clickable) return this.#clickable.show(note)
    this.#probe ??= this.probe()
    void this.#probe.then(() => (this.#clickable ? this.#clickable.show(note) : this.viaNodeNotifier(note)))
  }

  close(): void {
    this.#clickable?.close()
  }

  private async probe(): Promise<NotifySendSupport> {
    const command = this.opts.notifySend ?? 'notify-send'
    const support = await probeNotifySend(command)
    if (support.ok) {
      this.#clickable = new NotifySend({ log: this.log, onClick: this.onClick, onError: (err) => this.failed(err), command })
      this.log.info({ notifySend: support.version }, 'notifications open the chat page at their room when clicked')
    } else {
      this.log.warn(
        { reason: support.reason },
        `Notifications on this machine cannot be clicked: ${support.reason}. Install libnotify-bin 0.8 or newer to open the room from a notification.`,
      )
    }
    return support
  }

  /** node-notifier: macOS and Windows report clicks; its notify-send backend (old Linux) cannot. */
  private viaNodeNotifier(note: Note): void {
    const linux = this.#platform === 'linux'
    // On Linux, waiting would keep a process per note that can never report a click.
    const platformFlags = linux ? { 'app-name': 'SO-CHAT', category: 'im.received', urgency: note.mention ? 'critical' : 'normal' } : {}
    const body = notOption(note.body)
    const message = linux ? escapeMarkup(body) : body
    this.#nodeNotifier ??= import('node-notifier').then((loaded) => loaded.default)
    this.#nodeNotifier.then(
      (notifier) =>
        // notify-send's own flags ride along; node-notifier passes unknown keys to each backend.
        notifier.notify({ title: note.title, message, wait: !linux, ...platformFlags } as Notification, (err, response) => {
          if (err) return this.failed(err)
          this.log.debug({ title: note.title }, 'notification shown')
          if (response === 'activate') this.onClick(note.room)
        }),
      (err: Error) => this.failed(err),
    )
  }

  private failed(err: Error): void {
    this.#failures++
    if (this.#failures > 1) {
      this.log.debug({ err, failures: this.#failures }, 'notification not shown')
      return
    }
    const hint =
      this.#platform === 'linux'
        ? 'Notifications need a desktop session (DBUS_SESSION_BUS_ADDRESS) and notify-send (apt-get install libnotify-bin).'
        : 'Check that notifications are allowed for SO-CHAT in the system settings.'
    this.log.warn({ err }, `Could not show a notification; the chat keeps working without them. ${hint}`)
  }
}
