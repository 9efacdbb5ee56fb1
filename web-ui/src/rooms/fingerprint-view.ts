/**
 * Account fingerprints in the page: each member's in the members list, the person's own in
 * "Your fingerprint". The number is in the text whole (a screen reader reads it, search finds
 * it, a mouse selects it), in groups that never break inside, with a Copy button beside it.
 * What it is for is said in words: two people compare it in person.
 */
import type { ProfileResponse } from '../../../shared/index.js'
import type { Api } from '../app/api.js'
import { button, Dialog, el, errorText } from '../app/dom.js'

/** Shown for an account from before account keys, in place of its fingerprint. */
export const NO_KEYS_YET = 'no keys yet (has not logged in since the update)'
/** How long "Copied" shows on the button. */
const COPIED_MS = 2000

/** One person's fingerprint (null: an account without keys yet), with a Copy button. */
export function fingerprintLine(owner: string, fingerprint: string | null): HTMLElement {
  const line = el('p', 'person-fingerprint')
  if (fingerprint === null) {
    line.append(el('span', 'fingerprint-none', NO_KEYS_YET))
    return line
  }
  const code = el('code', 'fingerprint-code', fingerprint)
  const copy = button('Copy', 'link-button fingerprint-copy', () => void copyFingerprint(code, copy), `Copy ${owner}'s fingerprint`)
  // The word is for screen readers: sighted people see the dialog's heading and hint say what the digits are.
  line.append(el('span', 'visually-hidden', 'fingerprint '), code, ' ', copy)
  return line
}

/** To the clipboard; where that is not allowed, the number is selected for Ctrl+C instead. */
async function copyFingerprint(code: HTMLElement, copy: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(code.textContent ?? '')
    copy.textContent = 'Copied'
    setTimeout(() => {
      copy.textContent = 'Copy'
    }, COPIED_MS)
  } catch {
    getSelection()?.selectAllChildren(code)
  }
}

export interface FingerprintParts {
  dialog: HTMLDialogElement
  body: HTMLElement
}

/** "Your fingerprint": the person's own, and what to do with it. */
export class MyFingerprintDialog {
  private readonly dialog: Dialog

  constructor(
    private readonly api: Api,
    private readonly parts: FingerprintParts,
  ) {
    this.dialog = new Dialog(parts.dialog)
  }

  async open(): Promise<void> {
    this.parts.body.replaceChildren(el('p', 'side-note', 'Loading…'))
    this.dialog.open()
    try {
      const me = await this.api.get<ProfileResponse>('/api/v1/me')
      this.parts.body.replaceChildren(...myFingerprint(me))
    } catch (err) {
      this.parts.body.replaceChildren(el('p', 'side-note', `Could not get your fingerprint: ${errorText(err)}`))
    }
  }
}

/** What to do with one's own number: the words matter as much as the digits. */
export const MY_FINGERPRINT_HINT =
  "This number stands for your account's keys. When you meet someone you write with here, compare it with what their screen shows beside your name (in a room's Members), in person: the same digits mean their machine holds your real keys. If it differs, or it changes when you changed nothing, tell them."

function myFingerprint(me: ProfileResponse): HTMLElement[] {
  if (me.fingerprint === null) return [fingerprintLine(me.username, null)]
  return [fingerprintLine(me.username, me.fingerprint), el('p', 'hint', MY_FINGERPRINT_HINT)]
}
