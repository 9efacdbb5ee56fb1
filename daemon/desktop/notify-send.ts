/**
 * Clickable notifications on Linux. node-notifier's notify-send backend cannot report a click,
 * so on Linux the daemon runs libnotify's own `notify-send` (0.8 or newer) itself, with
 * `--action=default=Open --wait`: the notification server (dunst, GNOME Shell, KDE…) calls the
 * "default" action when the person clicks the note, notify-send prints the action's name and
 * exits, and the daemon opens the page at the note's room. When the note expires or is
 * dismissed, notify-send exits without printing anything.
 *
 * A waiting notify-send is one process per note on screen, so at most MAX_WAITING wait at a
 * time: a new note ends the oldest waiter (its note can no longer be clicked through, but a
 * burst of messages is one summary, so that takes several bursts in a row). Processes are
 * spawned without a shell, each argument as given, and reaped by Node when they exit.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import type { Logger } from 'pino'
import type { Note } from './burst.js'

/** notify-send processes that wait for a click at one time; a new note ends the oldest. */
export const MAX_WAITING = 3
/** What notify-send prints on stderr when the session bus or the notification server is not there. */
const NO_SERVER = /Could not connect|Failed to connect/

/** `notify-send --action` and `--wait` came in libnotify 0.8. */
const FIRST_CLICKABLE: [number, number] = [0, 8]

/** What notify-send says about itself: clickable (0.8 or newer), too old, or missing. */
export type NotifySendSupport = { ok: true; version: string } | { ok: false; reason: string }

/** Asks `notify-send --version` ("notify-send 0.8.1") once. */
export function probeNotifySend(command = 'notify-send'): Promise<NotifySendSupport> {
  return new Promise((resolve) => {
    execFile(command, ['--version'], { timeout: 5000 }, (err, stdout) => {
      if (err) return resolve({ ok: false, reason: `"${command} --version" failed (${err.message.split('\n')[0]})` })
      const m = /(\d+)\.(\d+)(?:\.\d+)?/.exec(stdout)
      if (!m) return resolve({ ok: false, reason: `"${command} --version" printed no version ("${stdout.trim().slice(0, 60)}")` })
      const [major, minor] = [Number(m[1]), Number(m[2])]
      const recent = major > FIRST_CLICKABLE[0] || (major === FIRST_CLICKABLE[0] && minor >= FIRST_CLICKABLE[1])
      resolve(recent ? { ok: true, version: m[0] } : { ok: false, reason: `notify-send ${m[0]} is older than 0.8 (it has no --action)` })
    })
  })
}

/** Linux notification servers read the body as markup: a message's "<b>" stays text. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A zero-width space keeps a text like "--help" from being read as one of notify-send's options. */
export function notOption(text: string): string {
  return text.startsWith('-') ? `\u200b${text}` : text
}

/** notify-send's arguments for a note: app name, category, urgency, the click action, title, body. */
export function notifySendArgs(note: Note): string[] {
  return [
    '--app-name=SO-CHAT',
    '--category=im.received',
    `--urgency=${note.mention ? 'critical' : 'normal'}`,
    '--action=default=Open',
    '--wait',
    notOption(note.title),
    escapeMarkup(notOption(note.body)),
  ]
}

export interface NotifySendOptions {
  log: Logger
  /** The room of a clicked note. */
  onClick: (room: string) => void
  /** A note could not be shown (notify-send missing, no D-Bus session…). */
  onError: (err: Error) => void
  command?: string
  maxWaiting?: number
}

export class NotifySend {
  /** Oldest first. */
  readonly #waiting: ChildProcess[] = []

  constructor(private readonly opts: NotifySendOptions) {}

  /** How many notify-send processes wait for a click now. */
  get waiting(): number {
    return this.#waiting.length
  }

  show(note: Note): void {
    const child = spawn(this.opts.command ?? 'notify-send', notifySendArgs(note), { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    this.#waiting.push(child)
    // 'error' (it could not be started), a "no server" on stderr and 'close' may each come:
    // the process is forgotten, and its outcome told, once.
    let done = false
    const finish = () => {
      if (done) return false
      done = true
      const at = this.#waiting.indexOf(child)
      if (at >= 0) this.#waiting.splice(at, 1)
      return true
    }
    let out = ''
    let err = ''
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c.slice(0, 1024)
    })
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c.slice(0, 1024)
      // notify-send 0.8.1 without a session bus or notification server says so, then waits for ever.
      if (NO_SERVER.test(err) && finish()) {
        child.kill('SIGTERM')
        this.opts.onError(new Error(`notify-send found no notification server: ${err.trim().slice(0, 300)}`))
      }
    })
    child.on('error', (e) => finish() && this.opts.onError(e))
    child.on('close', (code, signal) => {
      if (!finish()) return
      if (out.split('\n').some((line) => line.trim() === 'default')) {
        this.opts.log.info({ room: note.room }, 'notification clicked: opening the chat page at its room')
        return this.opts.onClick(note.room)
      }
      if (code !== 0 && signal === null) this.opts.onError(new Error(`notify-send exited with ${code}: ${err.trim().slice(0, 300)}`))
    })
    this.opts.log.debug({ title: note.title, pid: child.pid }, 'notification shown')
    while (this.#waiting.length > (this.opts.maxWaiting ?? MAX_WAITING)) this.#waiting.shift()!.kill('SIGTERM')
  }

  /** Ends every waiting notify-send (the daemon is stopping). */
  close(): void {
    for (const child of this.#waiting.splice(0)) child.kill('SIGTERM')
  }
}
