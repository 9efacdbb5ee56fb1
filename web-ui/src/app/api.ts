/**
 * The page's only door to the daemon: same-origin fetch, JSON both ways, the CSRF header on
 * every request once logged in (GETs too: the cookie alone opens nothing, see session.ts),
 * and every failure turned into an ApiError whose message a person can read.
 */
import type { ErrorCode } from '../../../shared/index.js'

/** Failures the page detects itself; the daemon never sends these codes. */
export type PageErrorCode = 'network' | 'bad_response'

export class ApiError extends Error {
  constructor(
    /** An ErrorCode or PageErrorCode; a string because a newer daemon may add codes. */
    readonly code: ErrorCode | PageErrorCode | (string & {}),
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/**
 * Used only when the daemon's own message is missing: the daemon's text is written for
 * people and knows more (which rule, how long to wait), so it wins.
 */
const FALLBACK_MESSAGES: Record<string, string> = {
  network: 'Cannot reach SO-CHAT on this computer. Is the SO-CHAT service running?',
  bad_response: 'SO-CHAT answered with something this page does not understand. Try reloading.',
  bad_request: 'The request was not accepted. Try reloading the page.',
  invalid_username: 'That username is not allowed.',
  invalid_password: 'That password is not allowed.',
  empty_message: 'Write something before sending.',
  message_too_large: 'That message is too long.',
  unauthenticated: 'You are not logged in. Log in again.',
  wrong_credentials: 'Wrong username or password.',
  csrf_failed: 'Your session could not be verified. Reload the page and try again.',
  username_taken: 'That username is already taken. Choose another one.',
  rate_limited: 'Too many attempts. Wait a minute and try again.',
  no_relay: 'No relay was found, so this cannot be done now. Try again in a moment.',
  relay_timeout: 'The relay did not answer in time. Try again.',
  unknown_room: 'That room does not exist.',
  unknown_message: 'That message no longer exists.',
  invalid_room_name: 'Room names are 1 to 40 characters: lowercase letters, digits, dash or underscore.',
  invalid_topic: 'That topic is too long.',
  invalid_reaction: 'A reaction is one emoji.',
  room_name_taken: 'A room with that name already exists. Choose another name.',
  not_a_member: 'You are not in that room.',
  already_member: 'They are already in this room.',
  cannot_leave: 'You cannot leave this conversation.',
  not_your_message: 'You can only change your own messages.',
  message_deleted: 'That message was deleted.',
  unknown_author: 'Nobody has that username.',
  file_too_large: 'That file is larger than the relay takes.',
  disk_full: 'This computer’s disk is full, so that was not saved. Nothing already saved is lost. Free some space and try again.',
  image_too_large: 'That picture has too many pixels to open. Send it as a file instead.',
  corrupt_image: 'That picture is damaged or cut short, so it cannot be shown.',
  unsupported_image: 'SO-CHAT cannot show that kind of picture. Send it as a file instead.',
  file_unavailable: 'No machine that has this file is reachable right now. Try again later.',
  unknown_upload: 'That upload is gone. Add the file again.',
  upload_incomplete: 'Not all of the file arrived. Add it again.',
  internal: 'Something went wrong inside SO-CHAT. Try again; if it keeps happening, check its log.',
}

export function humanError(code: string, serverMessage?: string): string {
  const given = serverMessage?.trim()
  if (given) return given
  return FALLBACK_MESSAGES[code] ?? `Something went wrong (${code}). Try again.`
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export class Api {
  private csrf: string | null = null
  /**
   * Called when a logged-in request finds the session gone (401), or the cookie no longer
   * matching this page's CSRF token (another tab logged in anew), so the page can show log-in.
   */
  onUnauthenticated: (() => void) | null = null

  setCsrfToken(token: string | null): void {
    this.csrf = token
  }

  /** For the requests that do not go through here: upload pieces (XMLHttpRequest, for progress), the live feed. */
  get csrfToken(): string | null {
    return this.csrf
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path)
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body)
  }

  /** `keepalive`: the request outlives the page, for what is sent as the page is left. */
  put(path: string, body: unknown, opts: { keepalive?: boolean } = {}): Promise<void> {
    return this.request<void>('PUT', path, body, opts.keepalive)
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path)
  }

  /** Any method, with the JSON answer: edits, reactions, room changes. */
  call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, path, body)
  }

  private async request<T>(method: Method, path: string, body?: unknown, keepalive = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (this.csrf) headers['X-CSRF-Token'] = this.csrf
    let res: Response
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        keepalive,
      })
    } catch {
      throw new ApiError('network', humanError('network'), 0)
    }
    if (res.status === 204) return undefined as T
    const json = await readJson(res)
    if (res.ok) {
      if (json === undefined) throw new ApiError('bad_response', humanError('bad_response'), res.status)
      return json as T
    }
    throw this.failure(res.status, json)
  }

  private failure(status: number, json: unknown): ApiError {
    const err = errorFromBody(status, json)
    if ((err.code === 'unauthenticated' || err.code === 'csrf_failed') && this.csrf) this.onUnauthenticated?.()
    return err
  }
}

async function readJson(res: Response): Promise<unknown> {
  if (!res.headers.get('content-type')?.includes('application/json')) return undefined
  try {
    return await res.json()
  } catch {
    return undefined
  }
}

/** Reads `{error: {code, message}}`; anything else still becomes an error a person can read. */
export function errorFromBody(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
  const code = typeof error?.code === 'string' ? error.code : status >= 500 ? 'internal' : 'bad_response'
  const message = typeof error?.message === 'string' ? error.message : undefined
  return new ApiError(code, humanError(code, message), status)
}
