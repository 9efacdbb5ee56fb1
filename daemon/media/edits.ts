/**
 * A picture edit (shared/picture-edit.ts) applied with sharp to the bytes as uploaded, in the
 * one order the editor showed: upright by EXIF first, then the quarter turns, then the crop
 * (in pixels of the turned picture), then brightness and contrast as one linear map. The
 * pipeline only describes pixels: images.ts encodes its result once, as it encodes any
 * picture, and drops every piece of metadata (EXIF, GPS) as it always does.
 */
import type { Sharp } from 'sharp'
import { cropProblem, type PictureEdit } from '../../shared/index.js'
import { InputError } from '../errors/index.js'

/** Refuses an edit this picture cannot take, before any pixel is decoded. */
export function checkEdit(edit: PictureEdit, info: { width: number; height: number; frames: number }): void {
  if (info.frames > 1)
    throw new InputError(
      'picture_not_editable',
      'Animated pictures cannot be edited here (the edit would keep only one frame). Remove the edit to send it as it is.',
    )
  const problem = cropProblem(edit, info.width, info.height)
  if (problem) throw new InputError('bad_picture_edit', problem)
}

/** `pipeline` (already upright) turned, cropped and levelled as `edit` says. */
export function applyEdit(pipeline: Sharp, edit: PictureEdit): Sharp {
  let out = pipeline
  if (edit.rotate !== 0) out = out.rotate(edit.rotate)
  if (edit.crop) out = out.extract(edit.crop)
  if (edit.brightness !== 1 || edit.contrast !== 1) {
    // CSS brightness(b) contrast(c): v → c·(b·v) + 128·(1 − c). A single number leaves alpha alone.
    const { brightness: b, contrast: c } = edit
    out = out.linear(b * c, 128 * (1 - c))
  }
  return out
}
