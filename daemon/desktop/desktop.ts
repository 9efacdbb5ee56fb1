/**
 * The person at this machine: the desktop account (whoever logged in here last), its unread
 * count, Do not disturb, and the notifications new messages become. The tray sees all of it
 * as one `DesktopState`, pushed whenever any part changes.
 */
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { BROADCAST_MENTION_MAX_MEMBERS, broadcastMention, type DesktopState, type Entry, type Status } from '../../shared/index.js'
import type { Sessions } from '../accounts/index.js'
import { put, type Store } from '../store/index.js'
import { Burst, mentions } from './burst.js'
import type { NotificationSink } from './notifier.js'

/** What Desktop needs to know about open pages (daemon/http PageSockets). */
export interface PageAttention {
  isWatching(username: string): boolean
}

export interface DesktopOptions {
  store: Store
  sessions: Sessions
  pages: PageAttention
  status: () => Status
  sink: NotificationSink
  log: Logger
  /** How long a burst of messages is collected into one notification. */
  burstMs: number
}

const DND_KEY = 'desktop.dnd'
/**
 * Messages older than this when they reach this machine (a replica catching up after a
 * weekend off) count towards a summary, but never pop up on their own, mentions included.
 */
export const FRESH_MS = 60_000

export class Desktop extends EventEmitter<{ state: [DesktopState] }> {
  #account: string | null = null
  #unread = 0
  #dnd = false
  #lastSent = ''
  #accountStale = true
  #network: Pick<DesktopState, 'role' | 'relayName' | 'online' | 'ui'> = { role: 'electing', relayName: null, online: 0, ui: '' }
  #refresh: Promise<void> | null = null
  /** The one more run asked for during #refresh, which its callers wait for. */
  #refreshAgain: Promise<void> | null = null
  #considering: Promise<void> = Promise.resolve()
  readonly #burst: Burst

  private constructor(private readonly opts: DesktopOptions) {
    super()
    this.#burst = new Burst((note) => opts.sink.show(note), opts.burstMs)
  }

  static async open(opts: DesktopOptions): Promise<Desktop> {
    const desktop = new Desktop(opts)
    desktop.#dnd = (await opts.store.meta.get(DND_KEY)) === true
    desktop.#network = desktop.networkPart()
    opts.sessions.on('changed', () => {
      desktop.#accountStale = true
      void desktop.refresh()
    })
    await desktop.refresh()
    return desktop
  }

  state(): DesktopState {
    return { ...this.#network, account: this.#account, unread: this.#unread, dnd: this.#dnd }
  }

  /**
   * The part of the state that comes from the status. Building a status walks the roster,
   * so it is read when the status changes, not on every batch of new messages.
   */
  private networkPart(): Pick<DesktopState, 'role' | 'relayName' | 'online' | 'ui' | 'diskFull'> {
    const s = this.opts.status()
    return { role: s.role, relayName: s.relayName, online: s.online.length, ui: s.ui, diskFull: s.disk?.full === true }
  }

  /** New log entries: messages become notifications; any entry may move the unread count. */
  onApplied(entries: Entry[]): void {
    const me = this.#account
    // In order, one batch after another: a summary lists messages as they were written.
    this.#considering = this.#considering
      .then(async () => {
        if (me !== null) for (const e of entries) await this.consider(e, me)
      })
      .catch((err: unknown) => this.opts.log.error({ err }, 'turning new messages into notifications failed'))
      .then(() => (me !== null && entries.every((e) => ownPost(e, me)) ? undefined : this.refresh()))
  }

  private async consider(e: Entry, me: string): Promise<void> {
    const b = e.body
    if (b.type !== 'message.posted') return
    if (b.author.toLowerCase() === me.toLowerCase()) return
    // Someone reading the page sees it there; a pop-up on top would only repeat it.
    if (this.opts.pages.isWatching(me)) return
    // Only rooms the person is in: a public room they never joined is not theirs to hear about.
    const q = this.opts.store.views.q
    const room = await q.room(b.room)
    if (!room || !(await q.isMember(room.id, me))) return
    // What the person chose for this room (notify.set): a muted room says nothing.
    const level = await q.notifyLevel(me, room.id)
    if (level === 'mute') return
    // Sealed text (an encrypted room) is opened only for a logged-in request or page, never
    // for a pop-up: it says where, not what (and cannot tell a mention).
    // A thread reply tells the people in its thread (the root's author and who replied), as a
    // mention would; the rest of the room does not hear of it (it is not in their timeline).
    const inThread = b.thread !== undefined && (await this.opts.store.views.inThread(room.id, b.thread, me))
    if (b.thread && !b.alsoInRoom && !inThread && !(!b.sealed && mentions(b.text, me))) return
    const named = inThread || (!b.sealed && (mentions(b.text, me) || this.calledAll(b.text, room.memberCount, me)))
    if (level === 'mentions' && !named) return
    const mention = named && Date.now() - e.ts < FRESH_MS
    if (this.#dnd && !mention) return
    const where = room.kind === 'direct' ? 'a direct message' : `#${room.name}`
    const text = b.sealed ? `New message in ${where}` : b.text
    this.#burst.add({ room: b.room, where, author: b.author, text, mention })
  }

  /**
   * `@room` calls everyone in a room, `@here` everyone in it who is online, as a mention would;
   * only in rooms of at most BROADCAST_MENTION_MAX_MEMBERS (shared/limits.ts says why).
   */
  private calledAll(text: string, members: number, me: string): boolean {
    const call = broadcastMention(text)
    if (call === null || members > BROADCAST_MENTION_MAX_MEMBERS) return false
    if (call === 'room') return true
    const lower = me.toLowerCase()
    return this.opts.status().online.some((u) => u.toLowerCase() === lower)
  }

  /** A page of `username` became visible and focused: what was collected for it is old news. */
  pageWatching(username: string): void {
    if (username.toLowerCase() === this.#account?.toLowerCase()) this.#burst.discard()
  }

  async setDnd(on: boolean): Promise<DesktopState> {
    await this.opts.store.write([put(this.opts.store.meta, DND_KEY, on)])
    this.#dnd = on
    if (on) this.#burst.discard()
    this.opts.log.info({ dnd: on }, on ? 'Do not disturb is on' : 'Do not disturb is off')
    this.publish()
    return this.state()
  }

  /** Role, relay, people online or the page's address changed. */
  statusChanged(): void {
    this.#network = this.networkPart()
    this.publish()
  }

  close(): void {
    this.#burst.discard()
    this.opts.sink.close?.()
    this.removeAllListeners()
  }

  /**
   * Recomputes account and unread count; calls that arrive meanwhile fold into one more run,
   * and wait for it: the run under way may have read the sessions before what they ask about.
   */
  refresh(): Promise<void> {
    if (this.#refresh) {
      this.#refreshAgain ??= this.#refresh.then(() => {
        this.#refreshAgain = null
        return this.refresh()
      })
      return this.#refreshAgain
    }
    this.#refresh = this.recount()
      .catch((err: unknown) => this.opts.log.error({ err }, 'counting unread messages failed'))
      .finally(() => {
        this.#refresh = null
      })
    return this.#refresh
  }

  private async recount(): Promise<void> {
    // Sessions are read again only after a log-in or log-out, not for every batch of messages.
    let account = this.#account
    if (this.#accountStale) {
      this.#accountStale = false
      account = await this.opts.sessions.latestUser()
    }
    if (account !== this.#account) this.#burst.discard()
    this.#account = account
    this.#unread = account === null ? 0 : await this.unreadOf(account)
    this.publish()
  }

  /**
   * What would notify, across every room the person is in: each room's unread messages, only
   * its unread mentions when they chose "mentions", nothing from a muted room.
   */
  private async unreadOf(account: string): Promise<number> {
    const views = this.opts.store.views
    let total = 0
    for (const room of await views.roomsOf(account)) {
      const level = await views.q.notifyLevel(account, room.id)
      if (level === 'mute') continue
      const read = await views.readPosition(account, room.id)
      total += level === 'mentions' ? read.mentions : read.unread
    }
    return total
  }

  private publish(): void {
    const state = this.state()
    const json = JSON.stringify(state)
    if (json === this.#lastSent) return
    this.#lastSent = json
    this.emit('state', state)
  }
}

/**
 * A message of the person's own outside any thread cannot move their unread count (their own
 * messages are never unread, and it puts them in no thread), so a batch of only those skips the
 * recount, which walks the room from their read mark past every message of theirs: one person
 * posting thousands made each batch slower than the last (issue 18).
 */
function ownPost(e: Entry, me: string): boolean {
  return e.body.type === 'message.posted' && e.body.thread === undefined && e.body.author.toLowerCase() === me.toLowerCase()
}
