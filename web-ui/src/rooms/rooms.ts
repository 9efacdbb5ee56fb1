/**
 * The person's conversations: the list from `GET /api/v1/rooms` (fetched at log-in, at every
 * reconnect and on every `rooms` event), which one is on screen, and the `#room=<id>`
 * address that says so (desktop notifications open the page with it). Joining, leaving and
 * starting a direct conversation go through here, and so does previewing a public room the
 * person is not in.
 */
import type { Message, RoomSummary } from '../../../shared/index.js'
import { GENERAL_ROOM } from '../../../shared/limits.js'
import type { Api } from '../app/api.js'
import { errorText } from '../app/dom.js'
import type { RoomList } from './room-list.js'
import { roomLinks } from '../format/index.js'
import { hashFor, noteArrival, parseRoom, parseRooms, roomFromHash, roomLabel, roomPath, unreadAcross } from './rooms-model.js'

export interface RoomsHost {
  me(): string | null
  /** A room is on screen now (`switched`: a different one than before), or its details changed. */
  show(room: RoomSummary, switched: boolean): Promise<void>
  /** The unread count of the room on screen, as the page counts it. */
  currentUnread(): number
  say(text: string): void
}

export class Rooms {
  private all: RoomSummary[] = []
  private shown: RoomSummary | null = null
  private loading: Promise<void> | null = null
  /** A change was announced while a fetch was out: its answer may predate it. */
  private again = false
  /**
   * Counts the rooms the person asked for. Opening one may wait for the daemon (a public
   * room to preview, a conversation to start); if the person went elsewhere meanwhile, that
   * answer must not take the screen back when it comes.
   */
  private asked = 0

  constructor(
    private readonly api: Api,
    private readonly list: RoomList,
    private readonly host: RoomsHost,
  ) {
    window.addEventListener('hashchange', () => {
      const id = roomFromHash(location.hash)
      if (!id || !this.host.me()) return
      // Back to the room on screen while another was on its way: staying is what was asked.
      if (id === this.shown?.id) this.ask()
      else void this.open(id)
    })
  }

  get current(): RoomSummary | null {
    return this.shown
  }

  /** Every conversation of the person (and a previewed public room), as last fetched. */
  get known(): readonly RoomSummary[] {
    return this.all
  }

  /** Unread in every room, the one on screen as the page counts it: the tab title's number. */
  get unreadTotal(): number {
    return unreadAcross(this.all, this.shown ? { id: this.shown.id, unread: this.host.currentUnread() } : null)
  }

  /** A room's name as the sidebar says it ("design", "bob, carol"), or its id if it is not among the person's. */
  label(id: string): string {
    const room = this.all.find((r) => r.id === id)
    return room ? roomLabel(room, this.host.me()) : id
  }

  reset(): void {
    this.all = []
    this.shown = null
    this.again = false
    this.list.clear()
    roomLinks.know([])
  }

  /** Fetches the list; the first time, opens the room the address names, or general. */
  load(): Promise<void> {
    // Several `rooms` events in a burst (an invite to three rooms) need one more fetch, not three.
    if (this.loading) {
      this.again = true
      return this.loading
    }
    this.loading = this.fetchList().finally(() => {
      this.loading = null
      if (this.again) {
        this.again = false
        void this.load()
      }
    })
    return this.loading
  }

  private async fetchList(): Promise<void> {
    try {
      const rooms = parseRooms(await this.api.get<unknown>('/api/v1/rooms'))
      if (!rooms || !this.host.me()) return
      this.all = rooms
      const shown = this.shown
      if (!shown) return await this.open(roomFromHash(location.hash) ?? GENERAL_ROOM)
      const fresh = rooms.find((r) => r.id === shown.id)
      // Left, or no longer allowed in: back to general. A previewed room stays previewed.
      if (fresh) await this.display(fresh)
      else if (shown.joined || shown.kind !== 'public') await this.open(GENERAL_ROOM)
      else this.render()
    } catch (err) {
      this.host.say(`Could not load your rooms: ${errorText(err)}`)
    }
  }

  /** Shows a room: one of the person's, or a public one to preview. */
  async open(id: string): Promise<void> {
    const wanted = this.ask()
    const known = this.all.find((r) => r.id === id)
    if (known) return this.display(known)
    try {
      const room = parseRoom(await this.api.get<unknown>(roomPath(id)))
      if (room && this.host.me() && wanted()) await this.display(room)
    } catch (err) {
      this.host.say(`Could not open that conversation: ${errorText(err)}`)
      if (!wanted()) return
      if (!this.shown) await this.open(GENERAL_ROOM)
      // An address pasted into the open page must not keep naming the room that was refused
      // while another is on screen: a reload or a bookmark would only be refused again.
      else if (location.hash !== hashFor(this.shown.id)) history.replaceState(null, '', hashFor(this.shown.id))
    }
  }

  /** A direct conversation with `name`, or a group one with several (started if new), then shown. */
  async direct(name: string | readonly string[]): Promise<void> {
    const names = typeof name === 'string' ? [name] : [...name]
    const wanted = this.ask()
    try {
      const room = parseRoom(await this.api.post<unknown>('/api/v1/direct', { with: names }))
      if (!room) return
      this.upsert(room)
      if (wanted()) await this.display(room)
      else this.render()
    } catch (err) {
      this.host.say(`Could not message ${names.join(', ')}: ${errorText(err)}`)
    }
  }

  /** Joins a public room and shows it. Throws what to tell the person. */
  async join(id: string): Promise<void> {
    const wanted = this.ask()
    const room = parseRoom(await this.api.post<unknown>(`${roomPath(id)}/join`, {}))
    if (!room) return
    this.upsert(room)
    // Not awaited: the room shows at once; its history follows.
    if (wanted()) void this.display(room)
    else this.render()
  }

  async leave(): Promise<void> {
    const room = this.shown
    if (!room) return
    try {
      await this.api.post<unknown>(`${roomPath(room.id)}/leave`, {})
      this.all = this.all.filter((r) => r.id !== room.id)
      // Gone elsewhere while leaving: that room stays; else the one left is no longer shown.
      if (this.shown?.id === room.id) await this.open(GENERAL_ROOM)
      else this.render()
    } catch (err) {
      this.host.say(`Could not leave: ${errorText(err)}`)
    }
  }

  /** A room was created, renamed, or someone was invited: the answer is the room as it is now. */
  changed(room: RoomSummary, show = false): void {
    this.upsert(room)
    if (show) this.ask()
    if (show || room.id === this.shown?.id) void this.display(room)
    else this.render()
  }

  /** A live message: the sidebar's activity and badges; a new conversation means a refetch. */
  noteMessage(message: Message, mentionsMe: boolean): void {
    const me = this.host.me()
    if (!me) return
    const known = noteArrival(this.all, message, me, { current: this.shown?.id ?? null, mentionsMe })
    // A room only previewed is not in the list, and a refetch would not add it.
    if (!known && message.room !== this.shown?.id) void this.load()
    else this.render()
  }

  /** Read elsewhere (another tab or machine): only the daemon knows the new count. */
  readElsewhere(room: string): void {
    if (room !== this.shown?.id) void this.load()
  }

  /** Re-renders the sidebar (the current room's count changed). */
  render(): void {
    this.list.show(this.all, this.shown?.id ?? null, this.host.me())
    // `#name` in messages links to these (and to a public room being previewed).
    const shown = this.shown
    roomLinks.know(shown && !this.all.some((r) => r.id === shown.id) ? [...this.all, shown] : this.all)
  }

  /** A new ask: the answer says whether it is still the latest when the daemon has answered. */
  private ask(): () => boolean {
    const mine = ++this.asked
    return () => mine === this.asked
  }

  private upsert(room: RoomSummary): void {
    const i = this.all.findIndex((r) => r.id === room.id)
    if (i >= 0) this.all[i] = room
    else this.all.push(room)
  }

  private async display(room: RoomSummary): Promise<void> {
    const switched = room.id !== this.shown?.id
    if (switched && this.shown) this.settleLeaving(this.shown.id)
    this.shown = room
    if (location.hash !== hashFor(room.id)) history.replaceState(null, '', hashFor(room.id))
    this.render()
    await this.host.show(room, switched)
  }

  /** The room being left keeps the count it had on screen (usually 0: it was read). */
  private settleLeaving(id: string): void {
    const i = this.all.findIndex((r) => r.id === id)
    const room = this.all[i]
    if (!room) return
    const unread = this.host.currentUnread()
    this.all[i] = { ...room, unread, mentions: unread === 0 ? 0 : room.mentions }
  }
}
