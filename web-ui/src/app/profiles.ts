/**
 * Display names and statuses in the page (issue 17): the "Profile" dialog to set one's own
 * (PUT /api/v1/profile), and everyone's painted wherever a name is shown. Like profile
 * pictures, one MutationObserver decorates what arrives: a message's author (`.msg-author`
 * with `data-user`) becomes "**Alice Martin** @alice", the username always kept beside it so
 * nobody can pass for someone else; any `[data-status-for]` (People, Members, direct messages)
 * shows that person's status. A `profile` event from the live feed reloads them all.
 */
import type { PersonProfile } from '../../../shared/index.js'
import type { Api } from './api.js'
import { byId, Dialog, el, errorText } from './dom.js'
import { parseProfiles, statusLine } from './profiles-model.js'

export class Profiles {
  private known = new Map<string, PersonProfile>()
  private readonly dialog: Dialog
  private readonly form = byId<HTMLFormElement>('profile-form')
  private readonly nameInput = byId<HTMLInputElement>('profile-display-name')
  private readonly emojiInput = byId<HTMLInputElement>('profile-status-emoji')
  private readonly statusInput = byId<HTMLInputElement>('profile-status')

  constructor(
    private readonly api: Api,
    private readonly me: () => string | null,
  ) {
    this.dialog = new Dialog(byId('profile-dialog'), byId('profile-alert'))
    new MutationObserver((changes) => {
      for (const c of changes) for (const n of c.addedNodes) if (n instanceof HTMLElement) this.decorate(n)
    }).observe(document.body, { childList: true, subtree: true })
    byId('edit-profile').addEventListener('click', () => this.open())
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.save()
    })
  }

  of(username: string): PersonProfile | undefined {
    return this.known.get(username)
  }

  /** (Re)reads everyone's and repaints every name shown. */
  async load(): Promise<void> {
    try {
      this.known = parseProfiles(await this.api.get<unknown>('/api/v1/profiles'))
    } catch (err) {
      console.warn('Display names could not be read; usernames are shown alone until the next change', err)
      return
    }
    this.decorate(document.body)
  }

  clear(): void {
    this.known.clear()
    this.dialog.close()
    this.decorate(document.body)
  }

  private open(): void {
    const mine = this.known.get(this.me() ?? '')
    this.nameInput.value = mine?.displayName ?? ''
    this.emojiInput.value = mine?.statusEmoji ?? ''
    this.statusInput.value = mine?.status ?? ''
    this.dialog.open(this.nameInput)
  }

  private async save(): Promise<void> {
    const body = { displayName: this.nameInput.value, status: this.statusInput.value, statusEmoji: this.emojiInput.value }
    try {
      this.known = parseProfiles(await this.api.call<unknown>('PUT', '/api/v1/profile', body))
      this.decorate(document.body)
      this.dialog.close()
    } catch (err) {
      this.dialog.say(`Your profile was not changed: ${errorText(err)}`)
    }
  }

  private decorate(root: HTMLElement): void {
    const pick = (sel: string) => (root.matches(sel) ? [root] : [...root.querySelectorAll<HTMLElement>(sel)])
    for (const spot of pick('.msg-author[data-user]')) this.paintAuthor(spot)
    for (const spot of pick('[data-status-for]')) this.paintStatus(spot)
  }

  private paintAuthor(spot: HTMLElement): void {
    const user = spot.dataset.user ?? ''
    const name = this.known.get(user)?.displayName
    if ((spot.dataset.shown ?? '') === (name ?? '')) return
    spot.dataset.shown = name ?? ''
    if (!name) return void spot.replaceChildren(user)
    spot.replaceChildren(el('span', 'display-name', name), ' ', el('span', 'username', `@${user}`))
  }

  private paintStatus(spot: HTMLElement): void {
    const line = statusLine(this.known.get(spot.dataset.statusFor ?? ''))
    if (spot.textContent === (line ? ` ${line}` : '')) return
    spot.textContent = line ? ` ${line}` : ''
    spot.hidden = !line
  }
}

/** A span that Profiles fills with `username`'s status (empty and hidden while they have none). */
export function statusSpot(username: string): HTMLElement {
  const spot = el('span', 'profile-status')
  spot.dataset.statusFor = username
  spot.hidden = true
  return spot
}
