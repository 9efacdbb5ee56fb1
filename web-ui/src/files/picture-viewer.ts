/**
 * The picture viewer: a modal <dialog> (focus stays inside, Escape closes, focus goes back to
 * the thumbnail) with the display size, the name and "Download original". It is opened from
 * a thumbnail in the list by click or Enter; one listener on the log serves every row.
 */
import type { FileRef, PictureRef } from '../../../shared/files.js'
import type { Message } from '../../../shared/index.js'
import { Dialog } from '../app/dom.js'
import { displaySize, fileUrl, humanSize } from './file-info-model.js'
import { retryPicture } from './message-files.js'

export interface ViewerParts {
  dialog: HTMLDialogElement
  title: HTMLElement
  image: HTMLImageElement
  meta: HTMLElement
  download: HTMLAnchorElement
  close: HTMLButtonElement
}

export class PictureViewer {
  private readonly dialog: Dialog

  constructor(
    private readonly parts: ViewerParts,
    log: HTMLElement,
    private readonly find: (id: string) => Message | null,
  ) {
    this.dialog = new Dialog(parts.dialog)
    log.addEventListener('click', (ev) => this.onClick(ev))
    parts.image.addEventListener('error', () => {
      parts.meta.textContent = 'The picture could not be loaded: no machine that has it is reachable right now.'
    })
    // Leave nothing of a closed picture in the page (the next one must not flash it).
    parts.dialog.addEventListener('close', () => parts.image.removeAttribute('src'))
  }

  close(): void {
    this.dialog.close()
  }

  private onClick(ev: MouseEvent): void {
    const open = (ev.target as Element | null)?.closest<HTMLButtonElement>('button[data-tool="open-picture"]')
    const id = open?.closest<HTMLElement>('.msg')?.dataset.id
    const message = id ? this.find(id) : null
    const file = message?.files?.find((f) => f.sha256 === open?.dataset.sha)
    if (!open || !message || !file?.picture) return
    if (open.dataset.failed) return retryPicture(open)
    this.open(message, file as FileRef & { picture: PictureRef })
  }

  open(message: Message, file: FileRef & { picture: PictureRef }): void {
    const { title, image, meta, download, close } = this.parts
    const size = displaySize(file.picture)
    title.textContent = file.name
    image.alt = file.name
    image.width = size.width
    image.height = size.height
    image.src = fileUrl(message.room, message.id, file.sha256, 'display')
    meta.textContent = `${file.picture.width} × ${file.picture.height} pixels, ${humanSize(file.size)}, from ${message.author}`
    download.href = fileUrl(message.room, message.id, file.sha256, 'original')
    download.download = file.name
    download.setAttribute('aria-label', `Download original: ${file.name} (${humanSize(file.size)})`)
    this.dialog.open(close)
  }
}
