/**
 * The room on screen: its history, outbox rows, read position and typing line. Opening
 * another room starts them over (keeping each room's unsent draft, across reloads too:
 * composer/draft-store-model.ts); the live feed brings
 * every room's messages on one socket, so only the shown room's reach the timeline.
 *
 * History and the live feed overlap on purpose and the timeline deduplicates by id, so the
 * page simply refetches whenever it may have missed something: at log-in, on opening a
 * room and at every reconnect.
 */
import type { Message, MessagesResponse, RoomSummary, TimelineNotice, UiEvent } from '../../../shared/index.js'
import { GENERAL_ROOM } from '../../../shared/limits.js'
import type { Api } from '../app/api.js'
import type { Composer } from '../composer/composer.js'
import type { DraftStore, SaveResult } from '../composer/draft-store-model.js'
import { errorText } from '../app/dom.js'
import type { Editing } from '../composer/editing.js'
import type { JumpToLatest } from './jump-to-latest.js'
import type { NewerHistory } from './newer-history.js'
import type { OlderHistory } from './older-history.js'
import type { ReadTracker } from './read-tracker.js'
import { placeholderFor } from '../rooms/rooms-model.js'
import { messagesPath, type Sender } from '../composer/sender.js'
import type { Timeline } from './timeline.js'
import type { Typing } from '../composer/typing.js'
import { historyLimit, leavesGap } from './unread-model.js'

/**
 * Said of a message this page showed as waiting that has left the outbox without reaching
 * the room: the relay refused it while the live feed was down, so its reason was missed.
 */
const REFUSED_UNSEEN = 'The relay did not accept it.'
/** Messages read around a search result opened in its room: half before it, half after. */
const AROUND_PAGE = 100
/** How long an opened result stays highlighted. */
const FOUND_MS = 4000

export interface ConversationParts {
  timeline: Timeline
  reads: ReadTracker
  older: OlderHistory
  newer: NewerHistory
  sender: Sender
  typing: Typing
  composer: Composer
  editing: Editing
  emptyNote: HTMLElement
  /** Each room's unsent text, per account, kept across reloads. */
  drafts: DraftStore
  /** "Jump to latest" with the count of messages that came while scrolled up. */
  jump: JumpToLatest
}

export class Conversation {
  private shown: RoomSummary | null = null
  /** A search result to open in its room: the next open of that room loads around it. */
  private aim: { room: string; id: string } | null = null
  /**
   * Takes a message the thread pane shows (replies.ts) and says whether it stays out of the
   * timeline (a thread reply not sent to the room too).
   */
  sideline: ((message: Message, updated: boolean) => boolean) | null = null

  constructor(
    private readonly api: Api,
    private readonly parts: ConversationParts,
    private readonly me: () => string | null,
    private readonly say: (text: string) => void,
  ) {
    // Every change of the box is the shown room's draft, except the text of a message being
    // edited (that is not a draft) and the box being emptied before any room is shown.
    parts.composer.changed = (text) => {
      const me = this.me()
      if (me === null || this.shown === null || parts.editing.active) return
      this.noteDraft(parts.drafts.save(me, this.shown.id, text), 'save')
    }
  }

  get room(): string {
    return this.shown?.id ?? GENERAL_ROOM
  }

  /**
   * Whether `room` is the one on screen. Before the first room is shown (a reloaded page
   * whose feed is live while its room list is still on the way) none is: a live message
   * drawn then would be taken away by `open` and drawn again from the history it reads,
   * which has it (that history is asked for after the event came).
   */
  shows(room: string): boolean {
    return this.shown?.id === room
  }

  get joined(): boolean {
    return this.shown?.joined ?? false
  }

  /** Shows `room`: from scratch when it is another one, else only its details changed. */
  async open(room: RoomSummary, switched: boolean): Promise<void> {
    const before = this.shown
    const joinedNow = before?.id === room.id && !before.joined && room.joined
    // While `room` still names the old one: its read mark and "stopped typing" go to it.
    if (before && switched) this.leaveRoom()
    this.shown = room
    this.parts.composer.setPlaceholder(placeholderFor(room, this.me()))
    const me = this.me()
    // The first room shown after a (re)load gets its kept draft too, unless the person
    // already started typing in the box.
    if (me !== null && switched && (before || this.parts.composer.text === '')) {
      this.parts.composer.setText(this.parts.drafts.load(me, room.id))
    }
    const aimed = this.aim?.room === room.id ? this.aim : null
    this.aim = null
    if (!switched && !joinedNow && !aimed) return
    this.startOver()
    await (aimed ? this.loadAround(aimed.id) : this.loadRecent())
  }

  /** The next `open` of `room` (switched or not) loads the history around message `id`. */
  aimAt(room: string, id: string): void {
    this.aim = { room, id }
  }

  private startOver(): void {
    this.parts.timeline.clear()
    this.parts.reads.reset()
    this.parts.older.mayHaveMore = false
    this.parts.newer.mayHaveMore = false
    this.parts.jump.reset()
    this.syncEmptyNote()
  }

  /**
   * A search result in its room: the history around it (GET …/messages?around=), the row in
   * view and highlighted; older and newer pages load from there as the person scrolls.
   */
  private async loadAround(id: string): Promise<void> {
    const room = this.room
    const { timeline, reads, older, newer } = this.parts
    try {
      const [position, res] = await Promise.all([
        this.joined ? reads.fetch() : null,
        this.api.get<MessagesResponse>(`${messagesPath(room)}?around=${encodeURIComponent(id)}&limit=${AROUND_PAGE}`),
      ])
      if (this.me() === null || this.room !== room) return
      timeline.add(res.messages, 'stay')
      timeline.addNotices(res.notices ?? [], 'stay')
      older.mayHaveMore = res.hasOlder === true
      newer.mayHaveMore = res.hasNewer === true
      reads.loaded(position, true)
      this.syncEmptyNote()
      reads.sync('load')
      // Last: placing "New messages" scrolls to it, and the result is what the person asked for.
      timeline.reveal(id, FOUND_MS)
      this.parts.jump.sync()
    } catch (err) {
      if (this.room === room) this.say(`Could not open that message: ${errorText(err)}`)
    }
  }

  /** Goes to a message of the room on screen: its row, or the history around it loaded first. */
  async jumpTo(id: string): Promise<void> {
    if (id === '' || this.parts.timeline.reveal(id, FOUND_MS)) return
    this.startOver()
    await this.loadAround(id)
  }

  /** Forgets everything shown (log-out, or a session that ended). The drafts stay stored. */
  reset(): void {
    this.shown = null
    this.aim = null
    this.startOver()
  }

  /** A message left the box for `room` (accepted or safe in the outbox): its draft goes. */
  draftSent(room: string, text: string): void {
    const me = this.me()
    if (me !== null) this.noteDraft(this.parts.drafts.sent(me, room, text), 'clear')
  }

  private noteDraft(result: SaveResult, what: 'save' | 'clear'): void {
    // Not worth an alert (the draft is still in the box, and in memory), but not silent.
    if (!result.ok) console.warn(`Could not ${what} the draft in browser storage; it is kept for this page only`, result.error)
  }

  /** Before another room is shown; the box's text is this room's draft already (saved on every change). */
  private leaveRoom(): void {
    void this.parts.reads.flush()
    this.parts.editing.cancel()
    this.parts.typing.stopped()
    this.parts.typing.clear()
  }

  /**
   * The outbox and the read position, then the history, in that order: a message that left
   * the outbox by being delivered is then surely in the history read after it, so a row
   * shown as waiting that is in neither was refused (while the feed was down, so its
   * `failed` event was missed); and the daemon's unread count never includes a message the
   * history does not have.
   */
  async loadRecent(): Promise<void> {
    const room = this.room
    const { timeline, reads, older, sender } = this.parts
    const stillHere = () => this.me() !== null && this.room === room
    // Opened around a search result and not scrolled down to the end: the newest page is far
    // below what is shown, so start from it (a hole in the middle would go unnoticed).
    if (this.parts.newer.mayHaveMore) this.startOver()
    try {
      const shownNewest = timeline.newestSeq()
      const shownWaiting = timeline.waitingIds()
      const [outbox, position] = await Promise.all([sender.fetchPending(), this.joined ? reads.fetch() : null])
      const limit = historyLimit(position?.unread ?? 0)
      const res = await this.api.get<MessagesResponse>(`${messagesPath(room)}?limit=${limit}`)
      if (!stillHere()) return
      const gap = leavesGap(res.messages, limit, shownNewest)
      if (gap) timeline.clear()
      const fresh = shownNewest === null || gap
      timeline.add(res.messages, fresh ? 'force' : 'follow')
      timeline.addNotices(res.notices ?? [])
      if (fresh) older.mayHaveMore = res.messages.length >= limit
      reads.loaded(position, fresh)
      if (fresh) await older.reach(reads.dividerSeq, stillHere)
      if (outbox && stillHere()) this.showOutbox(outbox, shownWaiting)
      this.syncEmptyNote()
      reads.sync('load')
    } catch (err) {
      if (stillHere()) this.say(`Could not load messages: ${errorText(err)}`)
    }
  }

  private showOutbox(outbox: Parameters<Timeline['addPending']>[0], shownWaiting: readonly string[]): void {
    this.parts.timeline.addPending(outbox)
    const still = new Set(outbox.map((m) => m.id))
    for (const id of shownWaiting) if (!still.has(id)) this.parts.timeline.markFailed(id, REFUSED_UNSEEN)
  }

  /** A message for the room on screen (the caller filters with `shows`). */
  onMessage(message: Message): void {
    this.parts.typing.messageFrom(message.author)
    if (this.sideline?.(message, false)) return
    // Far back in history: the live end is reached by paging down, not appended below a hole.
    if (this.parts.newer.mayHaveMore) return
    const added = this.parts.timeline.add([message]).length
    if (added === 0) return
    this.parts.jump.arrived(added)
    this.syncEmptyNote()
    this.parts.reads.sync('live')
  }

  /** A key notice (the live feed sends each room's to its readers; only the shown room's are drawn). */
  onNotice(notice: TimelineNotice): void {
    if (!this.shows(notice.room)) return
    this.parts.timeline.addNotices([notice])
    this.syncEmptyNote()
  }

  /** Live events about the room on screen; false when the event is about another room. */
  onRoomEvent(ev: Extract<UiEvent, { type: 'updated' | 'read' | 'typing' }>): boolean {
    const room = ev.type === 'updated' ? ev.message.room : ev.room
    if (!this.shows(room)) return false
    if (ev.type === 'updated') {
      // Before the row changes: the pin count compares the message with the row's copy.
      this.sideline?.(ev.message, true)
      this.parts.timeline.update(ev.message)
    } else if (ev.type === 'read') this.parts.reads.onRead(ev.seq)
    else this.parts.typing.onEvent(ev)
    return true
  }

  /** My send came back: shown only if its room is still the one on screen. */
  showSent(message: Message): void {
    if (!this.shows(message.room) || this.sideline?.(message, false)) return
    // Sent while reading far back: back to the live end, where it is.
    if (this.parts.newer.mayHaveMore) return void this.loadRecent()
    this.parts.timeline.add([message], 'force')
    this.syncEmptyNote()
    this.parts.reads.sync('live')
  }

  syncEmptyNote(): void {
    this.parts.emptyNote.hidden = this.parts.timeline.size > 0
  }
}
