/**
 * A picture edited before it is sent, recorded as numbers only: the page shows a preview, the
 * daemon applies the numbers with sharp to the bytes as they were uploaded, so the result is
 * encoded once from the original (never a screenshot of the preview, never a copy re-encoded).
 *
 * The order is fixed, and is what the person saw in the editor:
 *   1. the EXIF orientation (the picture upright, as the chat shows every picture);
 *   2. `rotate` degrees clockwise;
 *   3. the crop, in pixels of the picture as it stands after 1 and 2;
 *   4. brightness then contrast, as CSS `brightness(b) contrast(c)` (the preview's filter):
 *      v' = c·(b·v) + 128·(1 − c), on each colour channel, alpha untouched.
 */
import * as z from 'zod'

export const EDIT_ROTATIONS = [0, 90, 180, 270] as const
export const EDIT_LEVEL_MIN = 0.5
export const EDIT_LEVEL_MAX = 2

const pixel = (what: string) =>
  // zod 4's number refuses NaN and ±Infinity by itself.
  z.number({ error: `${what} must be a finite number of pixels` }).int(`${what} must be a whole number of pixels`)
const level = (what: string) =>
  z
    .number({ error: `${what} must be a finite number` })
    .min(EDIT_LEVEL_MIN, `${what} must be at least ${EDIT_LEVEL_MIN}`)
    .max(EDIT_LEVEL_MAX, `${what} must be at most ${EDIT_LEVEL_MAX}`)

export const CropRect = z.strictObject({
  left: pixel('crop.left').nonnegative('crop.left must not be negative'),
  top: pixel('crop.top').nonnegative('crop.top must not be negative'),
  width: pixel('crop.width').positive('crop.width must be at least 1 pixel'),
  height: pixel('crop.height').positive('crop.height must be at least 1 pixel'),
})
export type CropRect = z.infer<typeof CropRect>

export const PictureEdit = z.strictObject({
  /** Degrees clockwise, after the EXIF orientation. */
  rotate: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)], { error: 'rotate must be 0, 90, 180 or 270' }),
  /** Absent: the whole picture. */
  crop: CropRect.optional(),
  brightness: level('brightness'),
  contrast: level('contrast'),
})
export type PictureEdit = z.infer<typeof PictureEdit>

export const NO_EDIT: PictureEdit = { rotate: 0, brightness: 1, contrast: 1 }

export type EditCheck = { ok: true; edit: PictureEdit } | { ok: false; field: string; message: string }

/** Never throws: the edit, or the first field that is wrong and a sentence for a person. */
export function parsePictureEdit(value: unknown): EditCheck {
  const parsed = PictureEdit.safeParse(value)
  if (parsed.success) return { ok: true, edit: parsed.data }
  const issue = parsed.error.issues[0]!
  const field = issue.path.join('.') || 'edit'
  const said = issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`
  return { ok: false, field, message: `The picture edit is wrong (${said}). Reset the edit and try again.` }
}

/** The picture's size after rotating it by `rotate`: a quarter turn swaps the sides. */
export function rotatedSize(width: number, height: number, rotate: number): { width: number; height: number } {
  return rotate === 90 || rotate === 270 ? { width: height, height: width } : { width, height }
}

/**
 * Whether the crop lies inside a picture of `width` × `height` (upright, before the edit's
 * rotation); null when it does, else the sentence saying what is wrong.
 */
export function cropProblem(edit: PictureEdit, width: number, height: number): string | null {
  if (!edit.crop) return null
  const size = rotatedSize(width, height, edit.rotate)
  const { left, top, width: w, height: h } = edit.crop
  if (left + w <= size.width && top + h <= size.height) return null
  return `The crop (${w} × ${h} at ${left}, ${top}) goes outside the picture, which is ${size.width} × ${size.height} once turned. Reset the crop and draw it again.`
}

/** Whether the edit changes nothing (sent as the picture was). */
export function isNoEdit(edit: PictureEdit): boolean {
  return edit.rotate === 0 && !edit.crop && edit.brightness === 1 && edit.contrast === 1
}
