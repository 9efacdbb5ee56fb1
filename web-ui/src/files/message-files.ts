/**
 * A message's files in its row: pictures as thumbnails, everything else as a card with a
 * Download link. The thumbnail's box has the thumbnail's own size from the start (width and
 * height attributes), so the list does not jump when it loads; CSS shrinks it, keeping its
 * shape, at phone width. Names go in as text only. Like the row's other tools, the picture
 * buttons and links are reached with Tab from their message (row-keys.ts), not on the way
 * through the list.
 */
import type { Message } from '../../../shared/index.js'
import { el } from '../app/dom.js'
import { fileKind, fileUrl, humanSize, kindIcon, kindWords, showFiles, type FileShow } from './file-info-model.js'

/** Quiet tries before the thumbnail says it failed: 0.6 s, 1.2 s, 2.4 s. */
const AUTO_RETRIES = 3

export const PICTURE_FAILED = 'The picture could not be loaded: no machine that has it is reachable right now. Select it to try again.'

/** The files of `m`, or null when it has none to show (none, or deleted). */
export function renderFiles(m: Message): HTMLElement | null {
  const shown = showFiles(m.files, m.seq > 0, m.deleted)
  if (shown.length === 0) return null
  const box = el('div', 'msg-files')
  box.setAttribute('role', 'group')
  box.setAttribute('aria-label', shown.length === 1 ? 'Attachment' : `${shown.length} attachments`)
  // Unchanged files are kept on a redraw (a reaction, an edit): no image is loaded twice.
  box.dataset.key = filesKey(m)
  for (const s of shown) box.append(s.kind === 'picture' ? renderPicture(m, s) : renderCard(m, s))
  return box
}

export function filesKey(m: Message): string {
  const shown = showFiles(m.files, m.seq > 0, m.deleted)
  return shown.length === 0 ? '' : `${m.seq > 0}:${shown.map((s) => s.file.sha256).join(',')}`
}

function renderPicture(m: Message, s: Extract<FileShow, { kind: 'picture' }>): HTMLElement {
  const { file } = s
  const open = el('button', 'pic')
  open.type = 'button'
  open.dataset.tool = 'open-picture'
  open.dataset.sha = file.sha256
  open.tabIndex = -1
  open.setAttribute('aria-label', `Open picture ${file.name} (${humanSize(file.size)})`)
  open.title = file.name
  const img = el('img', 'pic-img')
  img.alt = file.name
  img.width = file.picture.thumbnailWidth
  img.height = file.picture.thumbnailHeight
  img.decoding = 'async'
  img.addEventListener('load', () => open.classList.add('loaded'))
  let tries = 0
  img.addEventListener('error', () => {
    // My own message can show before this machine's copy of the log has it (the relay
    // answered first), and a file may be on its way from another machine: try again a
    // little later before saying anything.
    if (tries >= AUTO_RETRIES) return pictureFailed(open)
    setTimeout(
      () => {
        if (img.isConnected) retryPicture(open)
      },
      600 * 2 ** tries++,
    )
  })
  img.src = fileUrl(m.room, m.id, file.sha256, 'thumbnail')
  open.append(img)
  return open
}

/** Said in the picture's own box (which keeps its size), with the way to try again. */
function pictureFailed(open: HTMLElement): void {
  open.classList.add('failed')
  open.dataset.failed = 'true'
  let note = open.querySelector('.pic-note')
  if (!note) {
    note = el('span', 'pic-note', PICTURE_FAILED)
    open.append(note)
  }
}

/** After a failure, a click loads the thumbnail again instead of opening the viewer. */
export function retryPicture(open: HTMLElement): void {
  const img = open.querySelector('img')
  if (!img) return
  open.classList.remove('failed')
  delete open.dataset.failed
  open.querySelector('.pic-note')?.remove()
  const url = new URL(img.src)
  url.searchParams.set('try', String(Number(url.searchParams.get('try') ?? 0) + 1))
  img.src = url.pathname + url.search
}

function renderCard(m: Message, s: Extract<FileShow, { kind: 'card' }>): HTMLElement {
  const { file } = s
  const kind = fileKind(file.name, file.mime)
  const card = el('div', 'file-card')
  const icon = el('span', `file-icon kind-${kind}`, kindIcon(kind))
  icon.setAttribute('aria-hidden', 'true')
  const info = el('div', 'file-info')
  info.append(el('span', 'file-name', file.name), el('span', 'file-meta', `${kindWords(kind)}, ${humanSize(file.size)}`))
  card.append(icon, info)
  if (!s.download) {
    // Still in this machine's outbox: the daemon serves files by message, and it has none yet.
    card.append(el('span', 'file-wait', 'Waiting to be sent'))
    return card
  }
  const link = el('a', 'file-download', 'Download')
  link.href = fileUrl(m.room, m.id, file.sha256, 'original')
  link.download = file.name
  link.dataset.tool = 'download'
  link.tabIndex = -1
  link.setAttribute('aria-label', `Download ${file.name} (${humanSize(file.size)})`)
  card.append(link)
  return card
}
