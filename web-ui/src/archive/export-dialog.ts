/**
 * The Export… dialog: the room on screen (the room header's Export…) or everything the person
 * may read (the top bar's Export…), as JSON or HTML, with a progress bar while it streams, then
 * saved by the browser from a Blob URL. Cancel (or closing the dialog) aborts the request, which
 * stops the export on the daemon too.
 */
import type { RoomSummary } from '../../../shared/index.js'
import { type Api, ApiError, errorFromBody } from '../app/api.js'
import { byId, Dialog, errorText } from '../app/dom.js'
import { roomLabel } from '../rooms/rooms-model.js'
import { fileNameFrom, fraction, progressText, readExport, savedText } from './export-model.js'

interface Scope {
  room: { id: string; label: string } | null
}

export class ExportDialog {
  readonly #dialog: Dialog
  #scope: Scope = { room: null }
  #running: AbortController | null = null

  constructor(private readonly csrfToken: () => string | null) {
    this.#dialog = new Dialog(byId('export-dialog'), byId('export-alert'))
    byId('export-form').addEventListener('submit', (e) => {
      e.preventDefault()
      void this.start()
    })
    this.#dialog.el.addEventListener('close', () => this.#running?.abort())
  }

  /** `room` null: everything the person may read. */
  open(room: { id: string; label: string } | null): void {
    this.#scope = { room }
    byId('export-what').textContent = room ? `Export ${room.label}` : 'Export everything you can read'
    this.show(null, '')
    byId<HTMLButtonElement>('export-start').disabled = false
    this.#dialog.open(byId('export-start'))
  }

  private async start(): Promise<void> {
    const format = byId<HTMLSelectElement>('export-format').value === 'html' ? 'html' : 'json'
    const query = new URLSearchParams({ format, ...(this.#scope.room ? { room: this.#scope.room.id } : {}) })
    const running = new AbortController()
    this.#running = running
    byId<HTMLButtonElement>('export-start').disabled = true
    this.#dialog.say('')
    this.show(0, 'Starting…')
    try {
      const headers: Record<string, string> = {}
      const csrf = this.csrfToken()
      if (csrf) headers['X-CSRF-Token'] = csrf
      const res = await fetch(`/api/v1/export?${query}`, { headers, credentials: 'same-origin', cache: 'no-store', signal: running.signal })
      if (!res.ok) throw errorFromBody(res.status, await res.json().catch(() => undefined))
      const blob = await readExport(res, (p) => this.show(fraction(p), progressText(p)))
      save(blob, fileNameFrom(res.headers.get('content-disposition'), `sochat-export.${format}`))
      this.show(1, savedText(blob.size, Number(res.headers.get('x-export-messages') ?? 0)))
    } catch (err) {
      if (running.signal.aborted) return
      this.show(null, '')
      this.#dialog.say(err instanceof ApiError ? err.message : errorText(err))
    } finally {
      if (this.#running === running) this.#running = null
      byId<HTMLButtonElement>('export-start').disabled = false
    }
  }

  /** The bar: a value 0..1, indeterminate (null while running), and the words under it. */
  private show(value: number | null, text: string): void {
    const bar = byId<HTMLProgressElement>('export-progress')
    bar.hidden = text === ''
    if (value === null) bar.removeAttribute('value')
    else bar.value = value
    byId('export-status').textContent = text
  }
}

/** The two Export… buttons: the room header's (the room on screen) and the top bar's (everything). */
export function wireExport(api: Api, current: () => RoomSummary | null, me: () => string | null): ExportDialog {
  const dialog = new ExportDialog(() => api.csrfToken)
  byId('room-export').addEventListener('click', () => {
    const room = current()
    if (room) dialog.open({ id: room.id, label: room.kind === 'direct' ? roomLabel(room, me()) : `#${roomLabel(room, me())}` })
  })
  byId('export-all').addEventListener('click', () => dialog.open(null))
  return dialog
}

/** The browser saves it as a download; the Blob URL is let go once the click has been handled. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.hidden = true
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
