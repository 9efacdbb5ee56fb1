/**
 * Who is logged in: restoring the session on reload, the sign-up / log-in form, log-out.
 * The session itself is an HttpOnly cookie the page never sees. The cookie alone proves
 * nothing (browsers send it to every port of 127.0.0.1, so another local program may have
 * it): every request must also carry the session's CSRF token, which the page keeps in
 * localStorage. That is scoped to this origin — another port is another origin and cannot
 * read it — and outlives a reload, so a reload restores the session; without it, log-in.
 */
import type { SessionResponse } from '../../../shared/index.js'
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_RULE } from '../../../shared/limits.js'
import { ApiError, type Api } from './api.js'

export interface Session {
  username: string
  csrfToken: string
}

const CSRF_KEY = 'sochat.csrf'

/** Kept for the next load of this page (the daemon's origin only). */
export function rememberCsrfToken(token: string): void {
  try {
    localStorage.setItem(CSRF_KEY, token)
  } catch {
    // Storage off or full: this tab still works; a reload shows log-in.
  }
}

/**
 * Forgets the kept token, unless it is no longer `ours`: another tab that logged in since has
 * replaced it, and its session must survive this tab's leaving.
 */
export function forgetCsrfToken(ours: string): void {
  try {
    if (localStorage.getItem(CSRF_KEY) === ours) localStorage.removeItem(CSRF_KEY)
  } catch {
    // Nothing was kept.
  }
}

function keptCsrfToken(): string | null {
  try {
    return localStorage.getItem(CSRF_KEY)
  } catch {
    return null
  }
}

/**
 * The current session from the cookie and the kept CSRF token, or null: no token kept, or
 * the daemon refuses it (401: no session; 403 csrf_failed: the cookie is of a newer log-in).
 */
export async function restoreSession(api: Api): Promise<Session | null> {
  const kept = keptCsrfToken()
  if (!kept) return null
  api.setCsrfToken(kept)
  try {
    const s = await api.get<Session>('/api/v1/sessions/current')
    return { username: s.username, csrfToken: s.csrfToken }
  } catch (err) {
    api.setCsrfToken(null)
    if (err instanceof ApiError && (err.status === 401 || err.code === 'csrf_failed')) {
      forgetCsrfToken(kept)
      return null
    }
    throw err
  }
}

export async function logOut(api: Api): Promise<void> {
  await api.delete('/api/v1/sessions/current')
}

export interface LoginParts {
  form: HTMLFormElement
  username: HTMLInputElement
  password: HTMLInputElement
  alert: HTMLElement
  /** A polite status: what a slow answer is waiting for. */
  progress: HTMLElement
  usernameHint: HTMLElement
  passwordHint: HTMLElement
}

const SLOW_AFTER_MS = 800
export const SLOW_SIGN_UP =
  'Still working: SO-CHAT is looking for other machines on this network before it starts one. The first time, this takes a few seconds.'

export class LoginForm {
  private busy = false
  private alertText = ''

  constructor(
    private readonly parts: LoginParts,
    private readonly api: Api,
    private readonly onLoggedIn: (s: Session) => void,
  ) {
    parts.usernameHint.textContent = USERNAME_RULE
    parts.passwordHint.textContent = `Passwords are ${PASSWORD_MIN} to ${PASSWORD_MAX} characters and hard to guess: three or four unrelated words work well. A forgotten one cannot be recovered.`
    parts.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      const action = (ev.submitter as HTMLButtonElement | null)?.value === 'signup' ? 'signup' : 'login'
      void this.submit(action)
    })
  }

  /** Shows the form, with a reason when the person did not choose to be here. */
  reset(reason?: string): void {
    this.parts.password.value = ''
    this.say(reason ?? '')
    this.parts.username.focus()
  }

  private async submit(action: 'signup' | 'login'): Promise<void> {
    if (this.busy) return
    const username = this.parts.username.value.trim()
    const password = this.parts.password.value
    if (!username || !password) {
      this.say('Enter a username and a password.')
      ;(username ? this.parts.password : this.parts.username).focus()
      return
    }
    this.setBusy(true)
    // A sign-up needs the relay; in a daemon's first seconds there is none yet (it is looking
    // for other machines before it starts a network), and the daemon holds the sign-up until
    // there is. Say so rather than leave the button looking stuck.
    const slow = action === 'signup' ? setTimeout(() => (this.parts.progress.textContent = SLOW_SIGN_UP), SLOW_AFTER_MS) : undefined
    try {
      if (action === 'signup') await this.api.post('/api/v1/accounts', { username, password })
      const s = await this.api.post<SessionResponse>('/api/v1/sessions', { username, password })
      this.parts.password.value = ''
      this.say('')
      this.onLoggedIn({ username: s.username, csrfToken: s.csrfToken })
    } catch (err) {
      this.fail(err)
    } finally {
      clearTimeout(slow)
      this.parts.progress.textContent = ''
      this.setBusy(false)
    }
  }

  private fail(err: unknown): void {
    this.say(err instanceof Error ? err.message : String(err))
    const code = err instanceof ApiError ? err.code : ''
    const onUsername = code === 'invalid_username' || code === 'username_taken'
    const field = onUsername ? this.parts.username : this.parts.password
    field.setAttribute('aria-invalid', 'true')
    field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true })
    field.focus()
  }

  private say(text: string): void {
    // Emptied first so the same error twice in a row is announced twice.
    this.alertText = text
    this.parts.alert.textContent = ''
    if (text) setTimeout(() => (this.parts.alert.textContent = this.alertText), 50)
  }

  private setBusy(on: boolean): void {
    this.busy = on
    this.parts.form.setAttribute('aria-busy', String(on))
    for (const b of this.parts.form.querySelectorAll('button')) b.setAttribute('aria-disabled', String(on))
  }
}
