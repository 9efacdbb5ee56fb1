/**
 * Wires the page: which view is showing (starting, log-in, chat), and the logged-in chat's
 * data flow. Everything the chat shows comes from two sources that overlap on purpose:
 * REST fetches (history, outbox, status) and the live feed. The timeline deduplicates, so
 * the page simply refetches whenever it may have missed something: at log-in and at every
 * reconnect.
 */
import type { MessagesResponse, Status, UiEvent } from '../../shared/index.js'
import { GENERAL_ROOM } from '../../shared/limits.js'
import { Api, ApiError, humanError } from './api.js'
import { Composer } from './composer.js'
import { EmojiPicker } from './emoji-picker.js'
import { watchAttention } from './attention.js'
import { Completer } from './completer.js'
import { LiveFeed, type FeedState } from './events.js'
import { Typing } from './typing.js'
import { OlderHistory } from './paging.js'
import { ReadTracker } from './read-state.js'
import { RelayNotice, RelayWatch } from './relay-notice.js'
import { Roster } from './roster.js'
import { MESSAGES_PATH, Sender } from './sender.js'
import { LoginForm, logOut, restoreSession, type Session } from './session.js'
import { Timeline } from './timeline.js'
import { HISTORY_PAGE, historyLimit, leavesGap } from './unread.js'

/**
 * Said of a message this page showed as waiting that has left the outbox without reaching
 * the room: the relay refused it while the live feed was down, so its reason was missed.
 */
const REFUSED_UNSEEN = 'The relay did not accept it.'

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id)
  if (!node) throw new Error(`index.html lacks #${id}`)
  return node as T
}

const FEED_LABELS: Record<FeedState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  down: 'Reconnecting…',
}

class ChatPage {
  private me: string | null = null
  private stopWatching: (() => void) | null = null
  /** Online now, from the latest status: offered by @-completion with the timeline's authors. */
  private online: string[] = []
  private readonly timeline = new Timeline(byId('timeline'), byId('scroller'), {
    copyBack: (text) => this.composer.restoreDraft(text),
    dismissed: () => {
      this.syncEmptyNote()
      this.composer.focus()
    },
  })
  private readonly sender: Sender
  private readonly reads: ReadTracker
  private readonly older: OlderHistory
  private readonly relayWatch = new RelayWatch()
  private readonly relayNotice = new RelayNotice(byId('relay-notice'))
  private readonly roster = new Roster(
    { list: byId('online-list'), relay: byId('relay-line'), machine: byId('machine-line'), awayToggle: byId('away-toggle') },
    (on) => this.feed.setAway(on))
  private readonly feed = new LiveFeed({
    onEvent: (ev) => this.onEvent(ev),
    onLive: () => this.refresh(),
    onState: (state) => this.onFeedState(state),
  })
  private readonly picker: EmojiPicker
  private readonly completer: Completer
  private readonly typing: Typing
  private readonly composer = new Composer({
    form: byId('composer'),
    textarea: byId('message'),
    sendButton: byId('send'),
    problem: byId('composer-problem'),
    counter: byId('byte-counter'),
  }, (text, handOff) => {
    this.typing.stopped()
    return this.sender.send(text, handOff)
  })

  constructor(private readonly api: Api, private readonly onLoggedOut: (reason?: string) => void) {
    this.picker = new EmojiPicker(byId('emoji-toggle'), byId('emoji-panel'), (char) => this.composer.insertAtCaret(char))
    this.typing = new Typing({ textarea: byId('message'), line: byId('typing-line'), share: byId('share-typing') },
      (on) => this.feed.sendTyping(on), () => this.me)
    this.completer = new Completer(byId('message'), byId('completions'), () =>
      [...this.online, ...this.timeline.authors()].filter((n) => n !== this.me))
    this.sender = new Sender(api, {
      me: () => this.me,
      showSent: (message) => {
        this.timeline.add([message], 'force')
        this.syncEmptyNote()
        this.reads.sync('live')
      },
      showPending: (messages) => {
        this.timeline.addPending(messages)
        this.syncEmptyNote()
      },
    })
    this.reads = new ReadTracker(api, this.timeline, {
      scroller: byId('scroller'), head: byId('room-head'), badge: byId('room-unread'), markButton: byId('mark-read'),
    }, { me: () => this.me, olderExist: () => this.older.mayHaveOlder, markedAll: () => this.composer.focus() })
    this.older = new OlderHistory(api, this.timeline, byId('load-older'), (text) => this.say(text))
    byId('logout').addEventListener('click', () => void this.logOut())
    byId('load-older').addEventListener('click', () => void this.older.load(HISTORY_PAGE).then(() => this.reads.sync('load')))
    this.older.loadOnScroll(byId('scroller'), HISTORY_PAGE, () => this.reads.sync('load'))
  }

  enter(session: Session): void {
    this.me = session.username
    this.api.setCsrfToken(session.csrfToken)
    this.timeline.setMe(session.username)
    byId('me').textContent = session.username
    this.say('')
    this.composer.reset()
    this.feed.start()
    this.stopWatching = watchAttention((watching) => this.feed.setWatching(watching))
    void this.refresh()
    this.composer.focus()
  }

  /** Forgets everything shown, so the next person at this browser sees nothing of it. */
  leave(reason?: string): void {
    this.typing.clear()
    this.stopWatching?.()
    this.stopWatching = null
    this.feed.stop()
    this.api.setCsrfToken(null)
    this.me = null
    this.timeline.clear()
    this.sender.reset()
    this.relayWatch.reset()
    this.relayNotice.clear()
    this.roster.clear()
    this.composer.reset()
    this.picker.close(false)
    this.reads.reset()
    this.older.mayHaveOlder = false
    this.syncEmptyNote()
    this.onLoggedOut(reason)
  }

  private async logOut(): Promise<void> {
    try {
      await this.reads.flush()
      await logOut(this.api)
      this.leave()
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.leave()
      else this.say(`Could not log out: ${errorText(err)}`)
    }
  }

  private async refresh(): Promise<void> {
    await Promise.all([this.loadRecent(), this.loadStatus()])
  }

  /**
   * The outbox and the read position, then the history, in that order: a message that left
   * the outbox by being delivered is then surely in the history read after it, so a row
   * shown as waiting that is in neither was refused (while the feed was down, so its
   * `failed` event was missed); and the daemon's unread count never includes a message the
   * history does not have.
   */
  private async loadRecent(): Promise<void> {
    try {
      const shownNewest = this.timeline.newestSeq()
      const shownWaiting = this.timeline.waitingIds()
      const [outbox, position] = await Promise.all([this.sender.fetchPending(), this.reads.fetch()])
      const limit = historyLimit(position?.unread ?? 0)
      const res = await this.api.get<MessagesResponse>(`${MESSAGES_PATH}?limit=${limit}`)
      if (!this.me) return
      const gap = leavesGap(res.messages, limit, shownNewest)
      if (gap) this.timeline.clear()
      const fresh = shownNewest === null || gap
      this.timeline.add(res.messages, fresh ? 'force' : 'follow')
      if (fresh) this.older.mayHaveOlder = res.messages.length >= limit
      this.reads.loaded(position, fresh)
      if (fresh) await this.older.reach(this.reads.dividerSeq, () => this.me !== null)
      if (outbox) {
        this.timeline.addPending(outbox)
        const still = new Set(outbox.map((m) => m.id))
        for (const id of shownWaiting) if (!still.has(id)) this.timeline.markFailed(id, REFUSED_UNSEEN)
      }
      this.syncEmptyNote()
      this.reads.sync('load')
    } catch (err) {
      if (this.me) this.say(`Could not load messages: ${errorText(err)}`)
    }
  }

  private async loadStatus(): Promise<void> {
    try {
      const status = await this.api.get<Status>('/api/v1/status')
      if (this.me) this.roster.show(status, this.me)
    } catch {
      // The feed's status events will fill the sidebar; a missing sidebar is not worth an alert.
    }
  }

  private onEvent(ev: UiEvent): void {
    if (ev.type === 'status') {
      this.online = ev.status.online
      this.roster.show(ev.status, this.me)
      // Only the feed's statuses, which arrive in order: an older REST answer must not
      // make the notice say the relay moved back and forth.
      const notice = this.relayWatch.next(ev.status)
      if (notice) this.relayNotice.show(notice)
      return
    }
    if (ev.type === 'history') {
      // Merged with another relay's log: same messages, maybe new order. Start over.
      this.timeline.clear()
      this.reads.reset()
      void this.refresh()
      return
    }
    if (ev.type === 'failed') {
      this.timeline.markFailed(ev.id, humanError(ev.code, ev.message))
      return
    }
    if (ev.type === 'read') {
      if (ev.room === GENERAL_ROOM) this.reads.onRead(ev.seq)
      return
    }
    if (ev.type === 'typing') {
      if (ev.room === GENERAL_ROOM) this.typing.onEvent(ev)
      return
    }
    if (ev.type !== 'message') return
    this.typing.messageFrom(ev.message.author)
    if (this.timeline.add([ev.message]).length === 0) return
    this.syncEmptyNote()
    this.reads.sync('live')
  }

  private onFeedState(state: FeedState): void {
    const indicator = byId('connection')
    indicator.textContent = FEED_LABELS[state]
    indicator.dataset.state = state
    // A feed that keeps failing may mean the session expired: a 401 here sends us to log-in.
    if (state === 'down') void this.api.get('/api/v1/sessions/current').catch(() => undefined)
  }

  private syncEmptyNote(): void {
    byId('empty-note').hidden = this.timeline.size > 0
  }

  private say(text: string): void {
    byId('chat-alert').textContent = text
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

type View = 'starting' | 'login' | 'chat'

function showView(view: View): void {
  byId('starting-view').hidden = view !== 'starting'
  byId('login-view').hidden = view !== 'login'
  byId('chat-view').hidden = view !== 'chat'
}

async function boot(): Promise<void> {
  const api = new Api()
  const chat = new ChatPage(api, (reason) => {
    showView('login')
    login.reset(reason)
  })
  const login = new LoginForm({
    form: byId('login-form'),
    username: byId('username'),
    password: byId('password'),
    alert: byId('login-alert'),
    usernameHint: byId('username-hint'),
    passwordHint: byId('password-hint'),
  }, api, (session) => {
    showView('chat')
    chat.enter(session)
  })
  api.onUnauthenticated = () => chat.leave('Your session has ended. Log in again.')
  try {
    const session = await restoreSession(api)
    if (session) {
      showView('chat')
      chat.enter(session)
      return
    }
    showView('login')
    login.reset()
  } catch (err) {
    showView('login')
    login.reset(errorText(err))
  }
}

void boot()
