/**
 * The logged-in chat, wired: the room on screen (conversation.ts), the person's rooms (rooms.ts),
 * the composer and its helpers, and the live feed that drives them all (route-live-event.ts).
 */
import type { RoomSummary, Status } from '../../../shared/index.js'
import { ApiError, type Api } from './api.js'
import { wireExport } from '../archive/export-dialog.js'
import { ProfilePictures, wireProfileButton } from './profile-pictures.js'
import { Profiles } from './profiles.js'
import { routeLiveEvent, type LiveEventTargets } from './route-live-event.js'
import { watchAttention } from './attention.js'
import { Completer } from '../composer/completer.js'
import { Composer } from '../composer/composer.js'
import { ComposerFiles } from '../files/composer-files.js'
import { Conversation } from '../timeline/conversation.js'
import { DraftStore } from '../composer/draft-store-model.js'
import { byId, Dialog, errorText } from './dom.js'
import { watchPhoneChrome } from './drawer.js'
import { Editing } from '../composer/editing.js'
import { EmojiPicker } from '../composer/emoji-picker.js'
import { LiveFeed, type FeedState } from './live-feed.js'
import { JumpToLatest } from '../timeline/jump-to-latest.js'
import { MessageActions } from '../timeline/message-actions.js'
import { NetworkPanel } from '../network/network-panel.js'
import { NewerHistory } from '../timeline/newer-history.js'
import { OlderHistory } from '../timeline/older-history.js'
import { ReadTracker } from '../timeline/read-tracker.js'
import { RelayNotice } from '../timeline/relay-notice.js'
import { diskBanner } from './disk-banner-model.js'
import { RelayWatch } from '../timeline/relay-watch-model.js'
import { roomDialogs, roomHeader, type RoomDialogs } from '../rooms/room-chrome.js'
import type { RoomHeader } from '../rooms/room-header.js'
import { RoomList } from '../rooms/room-list.js'
import { Rooms } from '../rooms/rooms.js'
import { MyFingerprintDialog } from '../rooms/fingerprint-view.js'
import { watchRowKeys } from '../timeline/row-keys.js'
import { Roster } from '../rooms/roster.js'
import { SearchBox } from '../search/search-box.js'
import { Sender } from '../composer/sender.js'
import { makeReplies, type Replies } from '../timeline/replies-wiring.js'
import { forgetCsrfToken, logOut, rememberCsrfToken, type Session } from './session.js'
import { ThemeChooser } from './theme.js'
import { browserStorage, Comforts } from './comforts.js'
import { Timeline } from '../timeline/timeline.js'
import { Typing } from '../composer/typing.js'
import { HISTORY_PAGE, titleFor } from '../timeline/unread-model.js'

const FEED_LABELS: Record<FeedState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  down: 'Reconnecting…',
}

export class ChatPage {
  private me: string | null = null
  private stopWatching: (() => void) | null = null
  /** Online now, from the latest status: offered by @-completion with the timeline's authors. */
  private online: string[] = []
  private readonly relayWatch = new RelayWatch()
  private readonly relayNotice = new RelayNotice(byId('relay-notice'))
  private readonly feed = new LiveFeed({
    onEvent: (ev) => routeLiveEvent(ev, this.liveTargets),
    onLive: () => void this.refresh(),
    onState: (state) => this.onFeedState(state),
  })
  private readonly roster = new Roster(
    { list: byId('online-list'), relay: byId('relay-line'), machine: byId('machine-line'), awayToggle: byId('away-toggle') },
    (on) => this.feed.setAway(on),
    (name) => void this.rooms.direct(name),
  )
  private readonly timeline: Timeline
  private readonly pictures: ProfilePictures
  private readonly profiles: Profiles
  private readonly composer: Composer
  private readonly editing: Editing
  private readonly typing: Typing
  private readonly reads: ReadTracker
  private readonly conversation: Conversation
  private readonly rooms: Rooms
  private readonly picker: EmojiPicker
  private readonly actions: MessageActions
  private readonly replies: Replies
  private readonly sender: Sender
  private readonly dialogs: RoomDialogs
  private readonly header: RoomHeader
  private readonly files: ComposerFiles
  private readonly network: NetworkPanel
  private readonly liveTargets: LiveEventTargets
  private readonly search: SearchBox
  private readonly comforts: Comforts
  private readonly storage = browserStorage()
  private readonly drafts = new DraftStore(this.storage)
  private readonly theme = new ThemeChooser(byId('theme-choice'), this.storage, (text) => this.say(text))

  constructor(
    private readonly api: Api,
    private readonly onLoggedOut: (reason?: string) => void,
  ) {
    this.pictures = new ProfilePictures(api, [byId('timeline')])
    this.profiles = new Profiles(api, () => this.me)
    this.timeline = new Timeline(byId('timeline'), byId('scroller'), {
      copyBack: (text) => this.composer.restoreDraft(text),
      dismissed: () => {
        this.conversation.syncEmptyNote()
        this.composer.focus()
      },
    })
    this.composer = new Composer(
      {
        form: byId('composer'),
        textarea: byId('message'),
        sendButton: byId('send'),
        problem: byId('composer-problem'),
        counter: byId('byte-counter'),
      },
      (text, handOff) => {
        if (this.editing.active) return this.editing.save(text)
        this.typing.stopped()
        // The room it was written in, even if another is on screen once the files are up.
        const room = this.conversation.room
        const links = this.replies.takeLinks(room)
        const sent = () => this.conversation.draftSent(room, text)
        const handedOff = () => {
          sent()
          handOff()
        }
        return this.files.send(text, handedOff, (t, files, h) => this.sender.send(t, files, h, room, links)).then(sent)
      },
      () => !this.editing.active && this.files.waiting,
    )
    this.picker = new EmojiPicker(byId('emoji-toggle'), byId('emoji-panel'), (char) => this.composer.insertAtCaret(char))
    // Before the editing keys: an open suggestion list takes Up, Enter and Escape first.
    new Completer(byId('message'), byId('completions'), () => [...this.online, ...this.timeline.authors()].filter((n) => n !== this.me))
    this.editing = new Editing(
      api,
      this.timeline,
      { form: byId('composer'), textarea: byId('message'), bar: byId('edit-bar'), sendButton: byId('send') },
      { me: () => this.me, setText: (text) => this.composer.setText(text) },
    )
    this.typing = new Typing(
      { textarea: byId('message'), line: byId('typing-line'), share: byId('share-typing') },
      (on) => {
        // Editing an old message is not typing a new one.
        if (!on || !this.editing.active) this.feed.sendTyping(this.conversation.room, on)
      },
      () => this.me,
    )
    this.sender = this.makeSender()
    const older = new OlderHistory(
      api,
      this.timeline,
      byId('load-older'),
      (text) => this.say(text),
      () => this.conversation.room,
    )
    const newer = new NewerHistory(
      api,
      this.timeline,
      byId('load-newer'),
      (text) => this.say(text),
      () => this.conversation.room,
    )
    this.reads = this.makeReads(older)
    this.conversation = new Conversation(
      api,
      {
        timeline: this.timeline,
        reads: this.reads,
        older,
        newer,
        sender: this.sender,
        typing: this.typing,
        composer: this.composer,
        editing: this.editing,
        emptyNote: byId('empty-note'),
        drafts: this.drafts,
        jump: new JumpToLatest(byId('jump-latest'), byId('scroller'), this.timeline, {
          farBack: () => newer.mayHaveMore,
          loadLatest: () => this.conversation.loadRecent(),
          focusAfter: () => (this.conversation.joined ? this.composer.focus() : byId('timeline').focus()),
        }),
      },
      () => this.me,
      (text) => this.say(text),
    )
    this.rooms = this.makeRooms()
    this.actions = new MessageActions(
      api,
      this.timeline,
      byId('timeline'),
      new Dialog(byId('confirm-dialog'), byId('confirm-alert')),
      byId('confirm-ok'),
      {
        me: () => this.me,
        room: () => this.conversation.room,
        joined: () => this.conversation.joined,
        edit: (message) => this.editing.begin(message),
        say: (text) => this.say(text),
        replyTool: (tool, message, button) => this.replies.onTool(tool, message, button),
      },
    )
    this.replies = makeReplies(api, {
      me: () => this.me,
      room: () => this.rooms.current,
      find: (id) => this.timeline.find(id),
      update: (message) => this.timeline.update(message),
      focusComposer: () => this.composer.focus(),
      jumpTo: (id) => void this.conversation.jumpTo(id),
      say: (text) => this.say(text),
    })
    this.conversation.sideline = (message, updated) => this.replies.sideline(message, updated)
    watchRowKeys(byId('timeline'))
    watchPhoneChrome()
    this.dialogs = this.makeDialogs()
    this.header = this.makeHeader()
    this.files = ComposerFiles.inPage(api, {
      refusal: () =>
        !this.conversation.joined
          ? 'Join the room to share files in it.'
          : this.editing.active
            ? 'Finish editing the message before adding files.'
            : null,
      find: (id) => this.timeline.find(id),
    })
    this.network = new NetworkPanel(api, {
      opener: byId('network-button'),
      badge: byId('network-badge'),
      dialog: byId('network-dialog'),
      alert: byId('network-alert'),
      news: byId('network-news'),
      me: byId('network-me'),
      standing: byId('network-standing'),
      openness: byId('network-open-text'),
      toggle: byId('network-toggle'),
      groups: byId('network-groups'),
    })
    byId('browse-rooms').addEventListener('click', () => void this.dialogs.browse.open())
    byId('new-room').addEventListener('click', () => this.dialogs.newRoom.open())
    byId('logout').addEventListener('click', () => void this.logOut())
    wireProfileButton(byId('profile-picture'), byId('profile-picture-file'), this.pictures, (text) => this.say(text))
    const myFingerprint = new MyFingerprintDialog(api, { dialog: byId('fingerprint-dialog'), body: byId('fingerprint-body') })
    byId('my-fingerprint').addEventListener('click', () => void myFingerprint.open())
    wireExport(
      api,
      () => this.rooms.current,
      () => this.me,
    )
    byId('load-older').addEventListener('click', () => void older.load(HISTORY_PAGE).then(() => this.reads.sync('load')))
    older.loadOnScroll(byId('scroller'), HISTORY_PAGE, () => this.reads.sync('load'))
    byId('load-newer').addEventListener('click', () => void newer.load(HISTORY_PAGE).then(() => this.reads.sync('load')))
    newer.loadOnScroll(byId('scroller'), HISTORY_PAGE, () => this.reads.sync('load'))
    this.search = SearchBox.inPage(api, {
      roomName: (id) => this.rooms.label(id),
      open: (result) => {
        this.conversation.aimAt(result.message.room, result.message.id)
        void this.rooms.open(result.message.room)
      },
    })
    this.comforts = new Comforts(api, {
      me: () => this.me,
      online: () => this.online,
      authors: () => this.timeline.authors(),
      presence: (name) => this.roster.presence(name),
      rooms: this.rooms,
      search: this.search,
    })
    this.liveTargets = {
      me: () => this.me,
      timeline: this.timeline,
      reads: this.reads,
      conversation: this.conversation,
      rooms: this.rooms,
      pictures: this.pictures,
      profiles: this.profiles,
      network: this.network,
      status: (s) => this.onStatus(s),
      refresh: () => this.refresh(),
      showTotals: () => this.showTotals(),
    }
  }

  private makeSender(): Sender {
    return new Sender(this.api, {
      me: () => this.me,
      room: () => this.conversation.room,
      showSent: (message) => this.conversation.showSent(message),
      showPending: (messages) => {
        this.timeline.addPending(messages.filter((m) => this.conversation.shows(m.room)))
        this.conversation.syncEmptyNote()
      },
    })
  }

  private makeReads(older: OlderHistory): ReadTracker {
    return new ReadTracker(
      this.api,
      this.timeline,
      {
        scroller: byId('scroller'),
        head: byId('room-head'),
        badge: byId('room-unread'),
        markButton: byId('mark-read'),
      },
      {
        me: () => this.me,
        olderExist: () => older.mayHaveMore,
        markedAll: () => this.composer.focus(),
        room: () => this.conversation.room,
        canMark: () => this.conversation.joined,
        counted: () => this.showTotals(),
      },
    )
  }

  private makeRooms(): Rooms {
    const list = new RoomList(
      { rooms: byId('room-list'), directs: byId('dm-list'), directsEmpty: byId('dm-empty') },
      (id) => void this.rooms.open(id),
    )
    return new Rooms(this.api, list, {
      me: () => this.me,
      show: (room, switched) => this.showRoom(room, switched),
      currentUnread: () => this.reads.unread,
      say: (text) => this.say(text),
    })
  }

  private makeDialogs(): RoomDialogs {
    const { rooms } = this
    return roomDialogs(this.api, {
      me: () => this.me,
      presence: (name) => this.roster.presence(name),
      message: (name) => void rooms.direct(name),
      changed: (room, created) => rooms.changed(room, created),
      open: (id) => void rooms.open(id),
      join: (id) => rooms.join(id),
    })
  }

  private makeHeader(): RoomHeader {
    return roomHeader(this.dialogs, {
      current: () => this.rooms.current,
      leave: () => void this.rooms.leave(),
      join: (id) =>
        void this.rooms.join(id).then(
          () => this.composer.focus(),
          (err) => this.say(errorText(err)),
        ),
    })
  }

  enter(session: Session): void {
    this.me = session.username
    this.api.setCsrfToken(session.csrfToken)
    rememberCsrfToken(session.csrfToken)
    this.timeline.setMe(session.username)
    byId('me').textContent = session.username
    this.theme.enter(session.username)
    this.say('')
    this.composer.reset()
    this.feed.start(session.csrfToken)
    this.stopWatching = watchAttention((watching) => this.feed.setWatching(watching))
    this.composer.focus()
  }

  /** Forgets everything shown, so the next person at this browser sees nothing of it. */
  leave(reason?: string): void {
    this.editing.cancel()
    this.typing.clear()
    this.stopWatching?.()
    this.stopWatching = null
    this.feed.stop()
    if (this.api.csrfToken) forgetCsrfToken(this.api.csrfToken)
    this.api.setCsrfToken(null)
    this.me = null
    const { members, browse, newRoom, editRoom } = this.dialogs
    for (const dialog of [members, browse, newRoom, editRoom]) dialog.close()
    this.comforts.reset()
    this.replies.reset()
    this.network.reset()
    this.search.reset()
    this.actions.closePopups()
    this.conversation.reset()
    this.rooms.reset()
    this.relayWatch.reset()
    this.relayNotice.clear()
    this.roster.clear()
    this.composer.reset()
    this.files.reset()
    this.pictures.clear()
    this.profiles.clear()
    this.picker.close(false)
    this.theme.leave()
    document.title = titleFor(0)
    this.onLoggedOut(reason)
  }

  private async logOut(): Promise<void> {
    try {
      await this.reads.flush()
      await logOut(this.api)
      // Logging out on purpose forgets the drafts too (a shared computer); an expired
      // session keeps them for the person's next log-in.
      if (this.me) this.drafts.forget(this.me)
      this.leave()
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.leave()
      else this.say(`Could not log out: ${errorText(err)}`)
    }
  }

  /** At log-in and every reconnect: the rooms (opening one the first time), its messages, the status. */
  private async refresh(): Promise<void> {
    const first = this.rooms.current === null
    await Promise.all([
      this.rooms.load().then(() => (first ? undefined : this.conversation.loadRecent())),
      this.loadStatus(),
      this.pictures.load(),
      this.profiles.load(),
    ])
  }

  private async showRoom(room: RoomSummary, switched: boolean): Promise<void> {
    this.header.show(room, this.me)
    this.replies.roomShown(room, switched)
    if (switched) this.picker.close(false)
    if (switched) this.actions.closePopups()
    await this.conversation.open(room, switched)
    this.showTotals()
    if (switched && room.joined) this.composer.focus()
  }

  private showTotals(): void {
    document.title = titleFor(this.rooms.unreadTotal)
    this.rooms.render()
  }

  private async loadStatus(): Promise<void> {
    try {
      const status = await this.api.get<Status>('/api/v1/status')
      if (this.me) this.roster.show(status, this.me)
      this.files.setLimit(status.maxFileBytes)
      this.showDisk(status)
    } catch {
      // The feed's status events will fill the sidebar; a missing sidebar is not worth an alert.
    }
  }

  private onStatus(status: Status): void {
    this.online = status.online
    this.files.setLimit(status.maxFileBytes)
    this.roster.show(status, this.me)
    this.showDisk(status)
    // Only the feed's statuses, which arrive in order: an older REST answer must not
    // make the notice say the relay moved back and forth.
    const notice = this.relayWatch.next(status)
    if (notice) this.relayNotice.show(notice)
  }

  /** While the daemon's disk is full, a banner says so; it goes once writes work again. */
  private showDisk(status: Status): void {
    const banner = byId('disk-banner')
    const text = diskBanner(status.disk)
    if (banner.textContent !== text) banner.textContent = text
  }

  private onFeedState(state: FeedState): void {
    const indicator = byId('connection')
    indicator.textContent = FEED_LABELS[state]
    indicator.dataset.state = state
    // A feed that keeps failing may mean the session expired: a 401 here sends us to log-in.
    if (state === 'down') void this.api.get('/api/v1/sessions/current').catch(() => undefined)
  }

  private say(text: string): void {
    byId('chat-alert').textContent = text
  }
}
