/**
 * Wires the page: which view is showing (starting, log-in, chat), and the logged-in chat's
 * data flow. Everything the chat shows comes from two sources that overlap on purpose:
 * REST fetches (history, status) and the live feed. The timeline deduplicates, so the page
 * simply refetches whenever it may have missed something: at log-in and at every reconnect.
 */
import type { Message, MessagesResponse, Status, UiEvent } from '../../shared/index.js'
import { Api, ApiError } from './api.js'
import { Composer } from './composer.js'
import { EmojiPicker } from './emoji-picker.js'
import { LiveFeed, type FeedState } from './events.js'
import { Roster } from './roster.js'
import { LoginForm, logOut, restoreSession, type Session } from './session.js'
import { Timeline, type PendingMessage } from './timeline.js'

const HISTORY_PAGE = 100
const MESSAGES_PATH = '/api/v1/rooms/general/messages'
const TITLE = 'SO-CHAT'

/**
 * POST .../messages: 201 {message, state:'sent'} once the relay wrote it, or 202 {message
 * without seq, state:'pending'} while it waits in this machine's outbox for a relay.
 */
type PostMessageResponse =
  | { state?: 'sent'; message: Message }
  | { state: 'pending'; message: PendingMessage }

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
  private unread = 0
  private readonly timeline = new Timeline(byId('timeline'), byId('scroller'))
  private readonly roster = new Roster({ list: byId('online-list'), relay: byId('relay-line'), machine: byId('machine-line') })
  private readonly feed = new LiveFeed({
    onEvent: (ev) => this.onEvent(ev),
    onLive: () => this.refresh(),
    onState: (state) => this.onFeedState(state),
  })
  private readonly picker: EmojiPicker
  private readonly composer = new Composer({
    form: byId('composer'),
    textarea: byId('message'),
    sendButton: byId('send'),
    problem: byId('composer-problem'),
    counter: byId('byte-counter'),
  }, (text) => this.send(text))

  constructor(private readonly api: Api, private readonly onLoggedOut: (reason?: string) => void) {
    this.picker = new EmojiPicker(byId('emoji-toggle'), byId('emoji-panel'), (char) => this.composer.insertAtCaret(char))
    byId('logout').addEventListener('click', () => void this.logOut())
    byId('load-older').addEventListener('click', () => void this.loadOlder())
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) this.setUnread(0)
    })
  }

  enter(session: Session): void {
    this.me = session.username
    this.api.setCsrfToken(session.csrfToken)
    this.timeline.setMe(session.username)
    byId('me').textContent = session.username
    this.say('')
    this.composer.reset()
    this.feed.start()
    void this.refresh()
    this.composer.focus()
  }

  /** Forgets everything shown, so the next person at this browser sees nothing of it. */
  leave(reason?: string): void {
    this.feed.stop()
    this.api.setCsrfToken(null)
    this.me = null
    this.timeline.clear()
    this.roster.clear()
    this.composer.reset()
    this.picker.close(false)
    this.setUnread(0)
    this.syncEmptyNote()
    this.onLoggedOut(reason)
  }

  private async logOut(): Promise<void> {
    try {
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

  private async loadRecent(): Promise<void> {
    try {
      const wasEmpty = this.timeline.size === 0
      const res = await this.api.get<MessagesResponse>(`${MESSAGES_PATH}?limit=${HISTORY_PAGE}`)
      if (!this.me) return
      this.timeline.add(res.messages, wasEmpty ? 'force' : 'follow')
      if (wasEmpty) this.setMayHaveOlder(res.messages.length >= HISTORY_PAGE)
      this.syncEmptyNote()
    } catch (err) {
      if (this.me) this.say(`Could not load messages: ${errorText(err)}`)
    }
  }

  private async loadOlder(): Promise<void> {
    const before = this.timeline.oldestSeq()
    if (before === null) return
    try {
      const res = await this.api.get<MessagesResponse>(`${MESSAGES_PATH}?limit=${HISTORY_PAGE}&before=${before}`)
      this.timeline.add(res.messages, 'keep')
      this.setMayHaveOlder(res.messages.length >= HISTORY_PAGE)
    } catch (err) {
      this.say(`Could not load older messages: ${errorText(err)}`)
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

  private async send(text: string): Promise<void> {
    const res = await this.api.post<PostMessageResponse>(MESSAGES_PATH, { text })
    if (res.state === 'pending') this.timeline.addPending(res.message)
    else this.timeline.add([res.message], 'force')
    this.syncEmptyNote()
  }

  private onEvent(ev: UiEvent): void {
    if (ev.type === 'status') {
      this.roster.show(ev.status, this.me)
      return
    }
    if (ev.type !== 'message') return
    const fresh = this.timeline.add([ev.message])
    this.syncEmptyNote()
    const fromOthers = fresh.filter((m) => m.author !== this.me).length
    if (document.hidden && fromOthers > 0) this.setUnread(this.unread + fromOthers)
  }

  private onFeedState(state: FeedState): void {
    const indicator = byId('connection')
    indicator.textContent = FEED_LABELS[state]
    indicator.dataset.state = state
    // A feed that keeps failing may mean the session expired: a 401 here sends us to log-in.
    if (state === 'down') void this.api.get('/api/v1/sessions/current').catch(() => undefined)
  }

  private setUnread(n: number): void {
    this.unread = n
    document.title = n > 0 ? `(${n}) ${TITLE}` : TITLE
  }

  private setMayHaveOlder(value: boolean): void {
    byId('load-older').hidden = !value
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
