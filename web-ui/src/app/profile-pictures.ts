/**
 * Profile pictures beside messages and names. The daemon lists who has one (GET
 * /api/v1/avatars), so the page asks only for pictures that exist; every `.avatar` element
 * with a `data-user` gets that person's picture over its initial, in the timeline as rows
 * arrive (one MutationObserver) and in the sidebar. A change anywhere comes as an `avatar`
 * event and reloads the list. Choosing one's own goes through an upload like any file.
 */
import type { AvatarsResponse } from '../../../shared/index.js'
import type { Api } from './api.js'

/** The address of a picture, versioned by its hash so a new one is fetched at once. */
export function avatarUrl(username: string, sha256: string): string {
  return `/api/v1/avatars/${encodeURIComponent(username)}?v=${sha256.slice(0, 12)}`
}

export class ProfilePictures {
  private known = new Map<string, string>()
  private readonly observer: MutationObserver

  constructor(
    private readonly api: Api,
    private readonly roots: HTMLElement[],
  ) {
    this.observer = new MutationObserver((changes) => {
      for (const c of changes) for (const n of c.addedNodes) if (n instanceof HTMLElement) this.decorate(n)
    })
    for (const root of roots) this.observer.observe(root, { childList: true, subtree: true })
  }

  /** (Re)reads who has a picture and redraws every avatar shown. */
  async load(): Promise<void> {
    try {
      const res = await this.api.get<AvatarsResponse>('/api/v1/avatars')
      this.known = new Map(Object.entries(res.avatars ?? {}).filter(([, v]) => typeof v === 'string'))
    } catch {
      return // initials stay; the next avatar event or reconnect tries again
    }
    for (const root of this.roots) this.decorate(root)
  }

  clear(): void {
    this.known.clear()
    for (const root of this.roots) this.decorate(root)
  }

  private decorate(root: HTMLElement): void {
    const spots = root.matches('.avatar[data-user]') ? [root] : [...root.querySelectorAll<HTMLElement>('.avatar[data-user]')]
    for (const spot of spots) this.paint(spot)
  }

  private paint(spot: HTMLElement): void {
    const user = spot.dataset.user ?? ''
    const sha = this.known.get(user)
    const img = spot.querySelector('img')
    if (!sha) return void img?.remove()
    const src = avatarUrl(user, sha)
    if (img?.getAttribute('src') === src) return
    const pic = img ?? document.createElement('img')
    pic.alt = ''
    pic.decoding = 'async'
    pic.src = src
    if (!img) spot.append(pic)
  }

  /** Uploads a picture and makes it this person's: the daemon cuts it square. */
  async choose(file: File): Promise<void> {
    const started = await this.api.post<{ id: string }>('/api/v1/uploads', { name: file.name, size: file.size, mime: file.type })
    const headers: Record<string, string> = { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' }
    if (this.api.csrfToken) headers['X-CSRF-Token'] = this.api.csrfToken
    const sent = await fetch(`/api/v1/uploads/${started.id}`, { method: 'PATCH', body: file, headers, credentials: 'same-origin' })
    if (!sent.ok) throw new Error('The picture did not arrive; try again.')
    const done = await this.api.post<{ file: { sha256: string } }>(`/api/v1/uploads/${started.id}/finish`, {})
    await this.api.put('/api/v1/me/avatar', { sha256: done.file.sha256 })
    await this.load()
  }

  async remove(): Promise<void> {
    await this.api.delete('/api/v1/me/avatar')
    await this.load()
  }
}

/**
 * The "Profile picture" button: opens a picture chooser, and says in the page what went wrong
 * (a file that is not a picture, a damaged one) in the daemon's words.
 */
export function wireProfileButton(
  button: HTMLButtonElement,
  input: HTMLInputElement,
  pictures: ProfilePictures,
  say: (text: string) => void,
): void {
  button.addEventListener('click', () => input.click())
  input.addEventListener('change', () => {
    const file = input.files?.[0]
    input.value = ''
    if (!file) return
    button.disabled = true
    pictures
      .choose(file)
      .then(
        () => say(''),
        (err: unknown) => say(`Your profile picture was not changed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        button.disabled = false
      })
  })
}
