/**
 * Files waiting to go with the next message, as in Slack: each added file becomes a chip
 * above the composer and starts uploading at once (so Send is quick), with a progress bar,
 * Cancel, and its problem in words; Send takes every finished file along with the text. A
 * file over the relay's limit is refused before a byte is sent, and a message is only posted
 * once every file of it is complete: nothing goes out half-sent.
 *
 * A picture's chip has Edit once the daemon has checked it: the editor returns numbers, and the
 * same file is uploaded again with them, for the daemon to apply to the original bytes. Until
 * that upload is done the chip keeps the picture as it was, and keeps it if the edit is refused.
 */
import type { FileRef } from '../../../shared/files.js'
import type { PictureEdit } from '../../../shared/picture-edit.js'
import { el } from '../app/dom.js'
import { fileKind, humanSize, kindIcon, MAX_FILES_PER_MESSAGE, sizeProblem, tooManyText } from './file-info-model.js'
import { percent, stateText, Upload, type UploadState, type UploadTransport } from './upload-model.js'

export interface AttachmentParts {
  /** The paperclip button: opens `input`. */
  button: HTMLButtonElement
  /** <input type="file" multiple>, visually hidden. */
  input: HTMLInputElement
  list: HTMLElement
  /** role="alert", always in the page: refusals in words. */
  alert: HTMLElement
  /** Where focus goes once a chip is removed. */
  textarea: HTMLTextAreaElement
}

interface Chip {
  upload: Upload<Blob>
  file: File
  name: string
  el: HTMLElement
  /** The edit of `upload`, if it was edited; the editor starts from it. */
  edit?: PictureEdit
  /** The picture as first uploaded, upright: what an edit's numbers are measured on. */
  size?: { width: number; height: number }
  /** An edited upload on its way; the chip's `upload` stays until it is done. */
  pending?: Upload<Blob>
  editing?: Promise<void>
}

/** Opens the picture editor; the new edit, or null when the person cancelled. */
export type EditPicture = (file: File, width: number, height: number, edit?: PictureEdit) => Promise<PictureEdit | null>

/** The files Send takes, and which chips they came from (removed once the message is out). */
export interface Batch {
  files: FileRef[]
  chips: readonly object[]
}

export class Attachments {
  private chips: Chip[] = []
  /** The relay's limit, from the status; null until known (the daemon then checks it alone). */
  private limit: number | null = null

  constructor(
    private readonly parts: AttachmentParts,
    private readonly transport: UploadTransport<Blob>,
    private readonly allowed: () => string | null,
    private readonly editPicture: EditPicture | null = null,
  ) {
    parts.button.addEventListener('click', () => parts.input.click())
    parts.input.addEventListener('change', () => {
      this.add([...(parts.input.files ?? [])])
      // The same file chosen again must fire `change` again.
      parts.input.value = ''
    })
    parts.list.hidden = true
  }

  setLimit(bytes: number | null): void {
    this.limit = typeof bytes === 'number' && bytes > 0 ? bytes : null
  }

  get count(): number {
    return this.chips.length
  }

  say(text: string): void {
    this.parts.alert.textContent = text
  }

  /** Starts uploading each file that may go; says in words why any may not. */
  add(files: readonly File[]): void {
    if (files.length === 0) return
    const refusal = this.allowed()
    if (refusal) return this.say(refusal)
    const problems: string[] = []
    const room = MAX_FILES_PER_MESSAGE - this.chips.length
    const taken = files.slice(0, Math.max(0, room))
    if (files.length > taken.length) problems.push(tooManyText(files.length - taken.length))
    for (const file of taken) {
      const problem = sizeProblem(file.name, file.size, this.limit)
      if (problem) problems.unshift(problem)
      else this.start(file)
    }
    this.say(problems.join(' '))
    this.parts.list.hidden = this.chips.length === 0
  }

  /**
   * Waits for every file added so far, then gives them for Send; throws, in words, when one
   * failed (nothing is posted then: the person removes it, or adds it again).
   */
  async collect(): Promise<Batch> {
    const chips = [...this.chips]
    await Promise.all(chips.map((c) => c.editing ?? c.upload.done))
    const failed = chips.find((c) => c.upload.state.phase === 'failed')
    if (failed) throw new Error(`“${failed.name}” was not uploaded, so nothing was sent. Remove it (or add it again), then send.`)
    const files: FileRef[] = []
    for (const c of chips) if (c.upload.state.phase === 'done') files.push(c.upload.state.file)
    return { files, chips }
  }

  /** The message carrying this batch is posted (or safe in the outbox): its chips go. */
  sent(batch: Batch): void {
    const gone = new Set(batch.chips)
    for (const c of this.chips.filter((chip) => gone.has(chip))) c.el.remove()
    this.chips = this.chips.filter((c) => !gone.has(c))
    this.parts.list.hidden = this.chips.length === 0
  }

  /** Abandons everything (log-out). */
  clear(): void {
    for (const c of this.chips) {
      c.upload.cancel()
      c.pending?.cancel()
    }
    this.chips = []
    this.parts.list.replaceChildren()
    this.parts.list.hidden = true
    this.say('')
  }

  private start(file: File): void {
    const item = el('li', 'chip')
    const chip: Chip = { name: file.name, file, el: item, upload: null as unknown as Upload<Blob> }
    const view = renderChip(
      item,
      file,
      () => this.remove(chip),
      this.editPicture ? () => void this.edit(chip, view) : null,
      (text) => this.say(text),
    )
    chip.upload = new Upload<Blob>(file, this.transport, (state) => {
      view.show(state)
      if (state.phase === 'failed') this.say(`“${file.name}” was not uploaded: ${state.reason}`)
      if (state.phase === 'done' && state.file.picture) chip.size = { width: state.file.picture.width, height: state.file.picture.height }
    })
    view.show(chip.upload.state)
    this.chips.push(chip)
    this.parts.list.append(item)
  }

  /**
   * Edit: the editor's numbers go with a new upload of the same file (the daemon edits the
   * original bytes). The chip shows that upload; if it fails, the picture stays as it was.
   */
  private async edit(chip: Chip, view: ChipView): Promise<void> {
    if (!this.editPicture || !chip.size || chip.pending) return
    const edit = await this.editPicture(chip.file, chip.size.width, chip.size.height, chip.edit)
    if (!edit || !this.chips.includes(chip)) return
    const previous = chip.upload
    const next = new Upload<Blob>(chip.file, this.transport, (state) => view.show(state), { edit })
    chip.pending = next
    // Its first state is not reported by the Upload itself: show it at once, not "Ready".
    view.show(next.state)
    chip.editing = next.done.then((file) => {
      chip.pending = undefined
      chip.editing = undefined
      if (file) {
        chip.upload = next
        chip.edit = edit
        return this.say('')
      }
      view.show(previous.state)
      const state = next.state
      if (state.phase === 'failed')
        this.say(`The edit of “${chip.name}” was not applied: ${state.reason} The picture is still attached as it was.`)
    })
    await chip.editing
  }

  /** Cancel while uploading, Remove afterwards: either way the file will not be sent. */
  private remove(chip: Chip): void {
    chip.pending?.cancel()
    chip.upload.cancel()
    chip.el.remove()
    this.chips = this.chips.filter((c) => c !== chip)
    this.parts.list.hidden = this.chips.length === 0
    if (this.chips.every((c) => c.upload.state.phase !== 'failed')) this.say('')
    this.parts.textarea.focus()
  }
}

interface ChipView {
  show(state: UploadState): void
}

/** GIFs are sent as they are: most are animated, and an edit would keep one frame. */
const NOT_EDITABLE = 'Animated pictures (GIF) are sent as they are; they cannot be edited here.'

function renderChip(item: HTMLElement, file: File, remove: () => void, edit: (() => void) | null, say: (text: string) => void): ChipView {
  const kind = fileKind(file.name, file.type)
  const icon = el('span', 'chip-icon', kindIcon(kind))
  icon.setAttribute('aria-hidden', 'true')
  const info = el('div', 'chip-info')
  const stateLine = el('span', 'chip-state')
  info.append(el('span', 'chip-name', file.name), el('span', 'chip-size', humanSize(file.size)), stateLine)
  const bar = el('progress', 'chip-progress')
  bar.max = 100
  bar.setAttribute('aria-label', `Uploading ${file.name}`)
  const button = el('button', 'chip-remove', '×')
  button.type = 'button'
  button.addEventListener('click', remove)
  const editButton = el('button', 'chip-edit', 'Edit')
  editButton.type = 'button'
  editButton.hidden = true
  editButton.setAttribute('aria-label', `Edit ${file.name}`)
  editButton.addEventListener('click', () => {
    if (editButton.getAttribute('aria-disabled') === 'true') return say(NOT_EDITABLE)
    edit?.()
  })
  item.append(icon, info, bar, ...(edit ? [editButton] : []), button)
  return {
    show(state) {
      const busy = state.phase === 'uploading' || state.phase === 'retrying' || state.phase === 'finishing'
      // A picture the daemon decoded may be edited; anything else has no Edit at all.
      const picture = state.phase === 'done' ? state.file.picture : undefined
      editButton.hidden = !picture
      const gif = picture?.mime === 'image/gif'
      editButton.setAttribute('aria-disabled', String(Boolean(gif)))
      editButton.title = gif ? NOT_EDITABLE : `Crop, turn or lighten ${file.name} before sending`
      item.classList.toggle('failed', state.phase === 'failed')
      item.classList.toggle('ready', state.phase === 'done')
      stateLine.textContent = stateText(state)
      bar.hidden = !busy
      if (state.phase === 'uploading' || state.phase === 'retrying') bar.value = percent(state.sent, state.size)
      if (state.phase === 'finishing') bar.value = 100
      bar.setAttribute('aria-valuetext', stateText(state))
      const label = busy ? `Cancel upload of ${file.name}` : `Remove ${file.name}`
      button.setAttribute('aria-label', label)
      button.title = label
    },
  }
}
