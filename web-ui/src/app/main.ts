/**
 * The page's entry: which view is showing (starting, log-in, chat). The logged-in chat is
 * chat-page.ts.
 */
import { Api } from './api.js'
import { ChatPage } from './chat-page.js'
import { byId, errorText } from './dom.js'
import { LoginForm, restoreSession } from './session.js'

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
  const login = new LoginForm(
    {
      form: byId('login-form'),
      username: byId('username'),
      password: byId('password'),
      alert: byId('login-alert'),
      progress: byId('login-progress'),
      usernameHint: byId('username-hint'),
      passwordHint: byId('password-hint'),
    },
    api,
    (session) => {
      showView('chat')
      chat.enter(session)
    },
  )
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
