/**
 * The picture editor, in a native <dialog>: a preview of a picture waiting to be sent, a crop
 * box to drag or to move by keys, quarter turns, brightness and contrast. It only changes
 * numbers (picture-edit-model.ts); the daemon applies them to the original bytes, so nothing
 * the preview loses is lost.
 *
 * The preview is decoded downscaled (createImageBitmap with resizeWidth, upright by EXIF as
 * the daemon makes it) and drawn on a <canvas>: a 60-megapixel photo is never decoded whole
 * on the page's thread, and no blob: address is needed (the page's CSP has none for images).
 */
import { byId, Dialog } from '../app/dom.js'
import type { PictureEdit } from '../../../shared/picture-edit.js'
import * as M from './picture-edit-model.js'

/** The preview's longer side, in canvas pixels. */
const PREVIEW_PX = 1024

export interface EditorParts {
  dialog: HTMLDialogElement
  alert: HTMLElement
  frame: HTMLElement
  canvas: HTMLCanvasElement
  crop: HTMLElement
  cropText: HTMLElement
  left: HTMLButtonElement
  right: HTMLButtonElement
  brightness: HTMLInputElement
  contrast: HTMLInputElement
  reset: HTMLButtonElement
  apply: HTMLButtonElement
}

export class PictureEditor {
  private readonly dialog: Dialog
  private state: M.EditState | null = null
  private bitmap: ImageBitmap | null = null
  private finish: ((edit: PictureEdit | null) => void) | null = null

  constructor(private readonly p: EditorParts) {
    this.dialog = new Dialog(p.dialog, p.alert)
    p.dialog.addEventListener('close', () => this.settle(null))
    p.left.addEventListener('click', () => this.change((s) => M.rotateBy(s, 'left')))
    p.right.addEventListener('click', () => this.change((s) => M.rotateBy(s, 'right')))
    p.brightness.addEventListener('input', () => this.change((s) => M.setLevel(s, 'brightness', Number(p.brightness.value))))
    p.contrast.addEventListener('input', () => this.change((s) => M.setLevel(s, 'contrast', Number(p.contrast.value))))
    p.reset.addEventListener('click', () => this.change((s) => M.reset(s)))
    for (const radio of p.dialog.querySelectorAll<HTMLInputElement>('input[name="picture-edit-shape"]'))
      radio.addEventListener('change', () => this.change((s) => M.setSquare(s, radio.value === 'square' && radio.checked)))
    p.apply.addEventListener('click', () => {
      const edit = this.state ? M.toEdit(this.state) : null
      this.settle(edit)
      this.dialog.close()
    })
    p.crop.addEventListener('keydown', (ev) => this.onKey(ev))
    this.watchPointer()
  }

  /**
   * Opens the editor over `file` (upright `width` × `height`, as the daemon measured it),
   * starting from `edit`; resolves with the new edit on Apply, null on Cancel or Escape.
   */
  async edit(file: Blob, width: number, height: number, edit?: PictureEdit): Promise<PictureEdit | null> {
    this.settle(null)
    this.state = M.startEdit(width, height, edit)
    const scale = Math.min(1, PREVIEW_PX / Math.max(width, height))
    this.dialog.open(this.p.crop)
    this.p.apply.disabled = true
    this.p.crop.hidden = true
    try {
      this.bitmap?.close()
      this.bitmap = await createImageBitmap(file, {
        resizeWidth: Math.max(1, Math.round(width * scale)),
        resizeHeight: Math.max(1, Math.round(height * scale)),
        resizeQuality: 'medium',
        imageOrientation: 'from-image',
      } as ImageBitmapOptions)
      this.p.apply.disabled = false
      this.p.crop.hidden = false
      this.render()
      this.p.crop.focus()
    } catch (err) {
      this.dialog.say(`This picture cannot be previewed here (${err instanceof Error ? err.message : String(err)}); send it as it is.`)
    }
    return new Promise((resolve) => {
      this.finish = resolve
    })
  }

  close(): void {
    this.dialog.close()
  }

  private settle(edit: PictureEdit | null): void {
    const finish = this.finish
    this.finish = null
    finish?.(edit)
  }

  private change(step: (s: M.EditState) => M.EditState): void {
    if (!this.state) return
    this.state = step(this.state)
    this.render()
  }

  private onKey(ev: KeyboardEvent): void {
    const arrows: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }
    const dir = arrows[ev.key]
    if (!dir || !this.state) return
    ev.preventDefault()
    const n = M.keyStep(this.state, ev.altKey)
    this.change((s) => (ev.shiftKey ? M.resizeCrop(s, dir[0] * n, dir[1] * n) : M.moveCrop(s, dir[0] * n, dir[1] * n)))
  }

  /** A drag on the picture draws a new crop box, in the picture's pixels. */
  private watchPointer(): void {
    let from: { x: number; y: number } | null = null
    const at = (ev: PointerEvent) => {
      const r = this.p.canvas.getBoundingClientRect()
      const size = M.turned(this.state!)
      return { x: ((ev.clientX - r.left) / r.width) * size.width, y: ((ev.clientY - r.top) / r.height) * size.height }
    }
    this.p.frame.addEventListener('pointerdown', (ev) => {
      if (!this.state || !this.bitmap) return
      from = at(ev)
      this.p.frame.setPointerCapture(ev.pointerId)
      ev.preventDefault()
    })
    this.p.frame.addEventListener('pointermove', (ev) => {
      if (from) this.change((s) => M.drawCrop(s, from!, at(ev)))
    })
    const end = () => {
      if (from) this.p.crop.focus()
      from = null
    }
    this.p.frame.addEventListener('pointerup', end)
    this.p.frame.addEventListener('pointercancel', end)
  }

  /** The preview: the bitmap turned and levelled on the canvas, and the box over it in percent. */
  private render(): void {
    const s = this.state
    const bitmap = this.bitmap
    if (!s || !bitmap) return
    const turnedSize = M.turned({ width: bitmap.width, height: bitmap.height, rotate: s.rotate })
    const canvas = this.p.canvas
    canvas.width = turnedSize.width
    canvas.height = turnedSize.height
    const ctx = canvas.getContext('2d')!
    // The same formula the daemon applies: CSS brightness() then contrast().
    ctx.filter = `brightness(${s.brightness}) contrast(${s.contrast})`
    ctx.translate(turnedSize.width / 2, turnedSize.height / 2)
    ctx.rotate((s.rotate * Math.PI) / 180)
    ctx.drawImage(bitmap, -bitmap.width / 2, -bitmap.height / 2)
    const size = M.turned(s)
    const box = this.p.crop.style
    box.left = `${(s.crop.left / size.width) * 100}%`
    box.top = `${(s.crop.top / size.height) * 100}%`
    box.width = `${(s.crop.width / size.width) * 100}%`
    box.height = `${(s.crop.height / size.height) * 100}%`
    // As wide as fits, but never taller than the stage: the box's percents then match the canvas.
    this.p.frame.style.aspectRatio = `${size.width} / ${size.height}`
    this.p.frame.style.width = `min(100%, calc(45vh * ${size.width / size.height}))`
    this.p.cropText.textContent = M.cropText(s)
    this.p.brightness.value = String(s.brightness)
    this.p.contrast.value = String(s.contrast)
    this.p.brightness.setAttribute('aria-valuetext', `${Math.round(s.brightness * 100)}%`)
    this.p.contrast.setAttribute('aria-valuetext', `${Math.round(s.contrast * 100)}%`)
    for (const radio of this.p.dialog.querySelectorAll<HTMLInputElement>('input[name="picture-edit-shape"]'))
      radio.checked = (radio.value === 'square') === s.square
  }

  static inPage(): PictureEditor {
    const dialog = byId<HTMLDialogElement>('picture-edit-dialog')
    return new PictureEditor({
      dialog,
      alert: byId('picture-edit-alert'),
      frame: byId('picture-edit-frame'),
      canvas: byId('picture-edit-canvas'),
      crop: byId('picture-edit-crop'),
      cropText: byId('picture-edit-crop-text'),
      left: byId('picture-edit-left'),
      right: byId('picture-edit-right'),
      brightness: byId('picture-edit-brightness'),
      contrast: byId('picture-edit-contrast'),
      reset: byId('picture-edit-reset'),
      apply: byId('picture-edit-apply'),
    })
  }
}
