/**
 * Who is logged in: restoring the session on reload, the sign-up / log-in form, log-out.
 * The session itself is an HttpOnly cookie the page never sees; the page keeps only the
 * username and the CSRF token it must echo on state-changing requests.
 */
import type { SessionResponse } from '../../../shared/index.js'
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_RULE } from '../../../shared/limits.js'
import { ApiError, type Api } from './api.js'

export interface Session {
  username: string
  csrfToken: string
}

/** The current session from the cookie, or null when there is none (401). */
export async function restoreSession(api: Api): Promise<Session | null> {
  try {
    const s = await api.get<Session>('/api/v1/sessions/current')
    return { username: s.username, csrfToken: s.csrfToken }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null
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
  usernameHint: HTMLElement
  passwordHint: HTMLElement
}

export class LoginForm {
  private busy = false
  private alertText = ''

  constructor(
    private readonly parts: LoginParts,
    private readonly api: Api,
    private readonly onLoggedIn: (s: Session) => void,
  ) {
    parts.usernameHint.textContent = USERNAME_RULE
    parts.passwordHint.textContent = `Passwords are ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`
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
    try {
      if (action === 'signup') await this.api.post('/api/v1/accounts', { username, password })
      const s = await this.api.post<SessionResponse>('/api/v1/sessions', { username, password })
      this.parts.password.value = ''
      this.say('')
      this.onLoggedIn({ username: s.username, csrfToken: s.csrfToken })
    } catch (err) {
      this.fail(err)
    } finally {
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
