/**
 * What goes live to open pages, and to whom: a room's messages and changes only to people who
 * may read it (a private room's never leave its members' pages), a person's read marks only
 * to their own pages, and a nudge to refetch the room list when rooms change. Entries are
 * handled one batch at a time, in order, so a page never sees an edit before its message.
 */
import type { Logger } from 'pino'
import type { Entry, Message, Typing, UiEvent } from '../../shared/index.js'
import type { Room, Views } from '../store/index.js'
import { timelineNotice } from './fingerprints.js'
import { MessageOpener } from './message-opener.js'
import type { PageSockets } from './page-sockets.js'

export class LiveFeed {
  #queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly pages: PageSockets,
    private readonly views: Views,
    private readonly log: Logger,
  ) {}

  applied(entries: Entry[]): void {
    // A relay with no page open (a server in a cupboard) has nobody to tell: no lookups at all.
    if (this.pages.users().length === 0) return
    this.#queue = this.#queue
      .then(() => this.send(entries))
      .catch((err: unknown) => this.log.error({ err }, 'sending new entries to open pages failed; pages catch up on reconnect'))
  }

  /**
   * Someone on this machine typing in a room: on to the other machines (`toOthers`) and to the
   * people here who may read it, but only into a room they are a member of: typing elsewhere
   * would tell others of a room they cannot see.
   */
  typedHere(username: string, room: string, on: boolean, toOthers: (t: Typing) => void): void {
    void this.views.q.isMember(room, username).then(
      (member) => {
        if (!member) return
        toOthers({ type: 'typing', room, username, on })
        this.typing(room, username, on)
      },
      (err: unknown) => this.log.error({ err }, "checking a typist's room failed"),
    )
  }

  /** Someone typing in a room: to the other people here who may read it. */
  typing(room: string, username: string, on: boolean): void {
    this.#queue = this.#queue
      .then(async () => {
        const r = await this.views.q.room(room)
        if (r) await this.toReaders(r, { type: 'typing', room, username, on }, username)
      })
      .catch((err: unknown) => this.log.error({ err }, 'passing on typing failed'))
  }

  private async send(entries: Entry[]): Promise<void> {
    let roomsChanged = false
    for (const e of entries) {
      const b = e.body
      if (b.type === 'read.marked') this.pages.broadcastTo(b.username, { type: 'read', room: b.room, seq: b.seq })
      else if (b.type.startsWith('room.')) roomsChanged = true
      else if (b.type === 'account.avatar') this.pages.broadcast({ type: 'avatar', username: b.username })
      else if (b.type === 'profile.set') this.pages.broadcast({ type: 'profile', username: b.username })
      else if (b.type === 'account.keys') await this.keyNotices(b.username, e.seq)
      else if (b.type === 'message.posted') {
        await this.message(
          b.room,
          {
            id: e.id,
            seq: e.seq,
            room: b.room,
            author: b.author,
            text: b.text,
            ts: e.ts,
            ...(b.files?.length ? { files: b.files } : {}),
            ...(b.sealed ? { sealed: b.sealed } : {}),
            ...(b.sealed && b.blobs?.length ? { blobs: b.blobs } : {}),
            // The links as the views kept them (store/threads.ts drops those that do not hold).
            ...(b.replyTo || b.thread ? await this.links(b.room, e.id) : {}),
          },
          'message',
        )
        // A thread reply changes its root's summary ("4 replies, last by bob").
        const root = b.thread ? await this.views.q.message(b.room, b.thread) : undefined
        if (root) await this.message(b.room, root, 'updated')
      } else if ('target' in b) {
        const now = await this.views.q.message(b.room, b.target)
        if (now) await this.message(b.room, now, 'updated')
      }
    }
    if (roomsChanged) this.pages.broadcast({ type: 'rooms' })
  }

  private async links(room: string, id: string): Promise<Pick<Message, 'replyTo' | 'thread' | 'alsoInRoom'>> {
    const kept = await this.views.q.message(room, id)
    return kept ? { replyTo: kept.replyTo, thread: kept.thread, alsoInRoom: kept.alsoInRoom } : {}
  }

  /** The notices an `account.keys` entry made (store/notices.ts), each to its room's readers. */
  private async keyNotices(username: string, seq: number): Promise<void> {
    for (const room of await this.views.roomsOf(username)) {
      const notice = await this.views.q.notice(room.id, seq)
      if (notice) await this.toReaders(room, { type: 'notice', notice: timelineNotice(notice) })
    }
  }

  private async message(roomId: string, message: Message, type: 'message' | 'updated'): Promise<void> {
    const room = await this.views.q.room(roomId)
    if (!room) return
    // A plain reply's quote is of a plain message of the same room: one quote serves every reader.
    if (!message.sealed && !message.replyTo) return this.toReaders(room, { type, message })
    if (!message.sealed) {
      const quoted = await new MessageOpener(this.views.q, '', null, this.log).open(message)
      return this.toReaders(room, { type, message: quoted })
    }
    // Sealed: opened for each reader with their own page's session, never sent sealed.
    for (const user of this.pages.users()) {
      if (!(await this.views.q.isMember(room.id, user))) continue
      const who = this.pages.sessionOf(user)
      const opener = who ? MessageOpener.forSession(this.views.q, who, this.log) : new MessageOpener(this.views.q, user, null, this.log)
      try {
        this.pages.broadcastTo(user, { type, message: await opener.open(message) })
      } finally {
        opener.close()
      }
    }
  }

  private async toReaders(room: Room, event: UiEvent, except?: string): Promise<void> {
    if (room.kind === 'public') return this.pages.broadcast(event, except)
    for (const user of this.pages.users()) {
      if (user !== except && (await this.views.q.isMember(room.id, user))) this.pages.broadcastTo(user, event)
    }
  }
}
