/**
 * The picture editor's state, page-free: a crop box, quarter turns, brightness and contrast,
 * over a picture of `width` × `height` pixels (upright, as the daemon measured it). The crop
 * box is kept in pixels of the picture as turned, which is what shared/picture-edit.ts sends:
 * the preview is only a picture of these numbers, the daemon applies them to the original.
 *
 * Every change clamps: the box stays inside the picture and at least 1 pixel; in square mode
 * its sides stay equal.
 */
// Types only: shared/picture-edit.ts's values would pull zod into the page's bundle.
import type { CropRect, PictureEdit } from '../../../shared/picture-edit.js'

/** The daemon's bounds for brightness and contrast (EDIT_LEVEL_MIN/MAX; a test checks they agree). */
export const LEVEL_MIN = 0.5
export const LEVEL_MAX = 2
const NO_EDIT: PictureEdit = { rotate: 0, brightness: 1, contrast: 1 }

export type Rotation = PictureEdit['rotate']

export interface EditState {
  /** The picture, upright, before any turn. */
  readonly width: number
  readonly height: number
  readonly rotate: Rotation
  /** In pixels of the turned picture; the whole picture when nothing is cropped. */
  readonly crop: CropRect
  readonly square: boolean
  readonly brightness: number
  readonly contrast: number
}

/** The picture as it is turned now. */
export function turned(s: Pick<EditState, 'width' | 'height' | 'rotate'>): { width: number; height: number } {
  return s.rotate === 90 || s.rotate === 270 ? { width: s.height, height: s.width } : { width: s.width, height: s.height }
}

const whole = (size: { width: number; height: number }): CropRect => ({ left: 0, top: 0, ...size })
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/** A fresh editor over a picture, or one showing an edit made before. */
export function startEdit(width: number, height: number, edit: PictureEdit = NO_EDIT): EditState {
  const s = { width, height, rotate: edit.rotate, square: false, brightness: edit.brightness, contrast: edit.contrast }
  return { ...s, crop: edit.crop ?? whole(turned(s)) }
}

export function reset(s: EditState): EditState {
  return startEdit(s.width, s.height)
}

/**
 * A quarter turn; the crop box turns with the picture, so it keeps framing the same pixels.
 * Clockwise, a point (x, y) of a W × H picture goes to (H − y, x).
 */
export function rotateBy(s: EditState, direction: 'left' | 'right'): EditState {
  const { width: W, height: H } = turned(s)
  const { left, top, width, height } = s.crop
  const rotate = ((s.rotate + (direction === 'right' ? 90 : 270)) % 360) as Rotation
  const crop =
    direction === 'right'
      ? { left: H - (top + height), top: left, width: height, height: width }
      : { left: top, top: W - (left + width), width: height, height: width }
  return { ...s, rotate, crop }
}

/** The box moved by (dx, dy) pixels, stopping at the edges. */
export function moveCrop(s: EditState, dx: number, dy: number): EditState {
  const size = turned(s)
  const { width, height } = s.crop
  return {
    ...s,
    crop: {
      width,
      height,
      left: clamp(Math.round(s.crop.left + dx), 0, size.width - width),
      top: clamp(Math.round(s.crop.top + dy), 0, size.height - height),
    },
  }
}

/** The box's right and bottom edges moved by (dw, dh); in square mode both sides by the larger change. */
export function resizeCrop(s: EditState, dw: number, dh: number): EditState {
  const size = turned(s)
  const { left, top } = s.crop
  if (s.square) {
    const d = Math.abs(dw) >= Math.abs(dh) ? dw : dh
    const side = clamp(Math.round(s.crop.width + d), 1, Math.min(size.width - left, size.height - top))
    return { ...s, crop: { left, top, width: side, height: side } }
  }
  const width = clamp(Math.round(s.crop.width + dw), 1, size.width - left)
  const height = clamp(Math.round(s.crop.height + dh), 1, size.height - top)
  return { ...s, crop: { left, top, width, height } }
}

/**
 * A box drawn by a pointer from `a` to `b` (picture pixels, any order, clamped to the picture);
 * in square mode the side is the shorter of the two, grown from `a`. A click (no size) keeps the box.
 */
export function drawCrop(s: EditState, a: { x: number; y: number }, b: { x: number; y: number }): EditState {
  const size = turned(s)
  const ax = clamp(Math.round(a.x), 0, size.width)
  const ay = clamp(Math.round(a.y), 0, size.height)
  let bx = clamp(Math.round(b.x), 0, size.width)
  let by = clamp(Math.round(b.y), 0, size.height)
  if (s.square) {
    const side = Math.min(Math.abs(bx - ax), Math.abs(by - ay))
    bx = ax + Math.sign(bx - ax) * side
    by = ay + Math.sign(by - ay) * side
  }
  const width = Math.abs(bx - ax)
  const height = Math.abs(by - ay)
  if (width < 1 || height < 1) return s
  return { ...s, crop: { left: Math.min(ax, bx), top: Math.min(ay, by), width, height } }
}

/** Square mode on: the largest square centred in the box; off: the box stays as it is. */
export function setSquare(s: EditState, square: boolean): EditState {
  if (!square) return { ...s, square }
  const side = Math.min(s.crop.width, s.crop.height)
  const left = s.crop.left + Math.floor((s.crop.width - side) / 2)
  const top = s.crop.top + Math.floor((s.crop.height - side) / 2)
  return { ...s, square, crop: { left, top, width: side, height: side } }
}

/** A slider's value, within what the daemon takes. */
export function setLevel(s: EditState, which: 'brightness' | 'contrast', value: number): EditState {
  if (!Number.isFinite(value)) return s
  return { ...s, [which]: clamp(value, LEVEL_MIN, LEVEL_MAX) }
}

/** One arrow-key step: about 1% of the picture's longer side, ten times that for a big step (Alt in the editor). */
export function keyStep(s: EditState, big: boolean): number {
  const unit = Math.max(1, Math.round(Math.max(s.width, s.height) / 100))
  return big ? unit * 10 : unit
}

/** What is sent to the daemon: the crop only when it is not the whole picture. */
export function toEdit(s: EditState): PictureEdit {
  const size = turned(s)
  const { left, top, width, height } = s.crop
  const all = left === 0 && top === 0 && width === size.width && height === size.height
  const edit: PictureEdit = { rotate: s.rotate, brightness: s.brightness, contrast: s.contrast }
  return all ? edit : { ...edit, crop: { ...s.crop } }
}

/** The box in words, for its accessible description and the line under the preview. */
export function cropText(s: EditState): string {
  const { left, top, width, height } = s.crop
  return `Crop ${width} × ${height} pixels, at ${left}, ${top}${s.square ? ' (square)' : ''}`
}
