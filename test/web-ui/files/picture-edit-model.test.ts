/**
 * The picture editor's model (web-ui/src/files/picture-edit-model.ts) and the schema the
 * daemon checks its edits with (shared/picture-edit.ts): the crop box moves, resizes and
 * clamps, square mode keeps it square, a quarter turn maps the box onto the same pixels, and
 * what the model sends is always an edit the schema takes; the schema's refusals name the field.
 */
import t from 'tap'
import {
  cropText,
  drawCrop,
  keyStep,
  LEVEL_MAX,
  LEVEL_MIN,
  moveCrop,
  reset,
  resizeCrop,
  rotateBy,
  setLevel,
  setSquare,
  startEdit,
  toEdit,
  turned,
} from '../../../web-ui/src/files/picture-edit-model.js'
import { cropProblem, EDIT_LEVEL_MAX, EDIT_LEVEL_MIN, parsePictureEdit } from '../../../shared/picture-edit.js'

t.test('a fresh editor crops nothing and sends no crop', async (t) => {
  const s = startEdit(400, 300)
  t.same(s.crop, { left: 0, top: 0, width: 400, height: 300 })
  t.same(toEdit(s), { rotate: 0, brightness: 1, contrast: 1 })
})

t.test('the box moves and stops at the edges', async (t) => {
  let s = resizeCrop(startEdit(400, 300), -300, -200)
  t.same(s.crop, { left: 0, top: 0, width: 100, height: 100 }, 'made smaller from its right and bottom')
  s = moveCrop(s, 50, 20)
  t.same([s.crop.left, s.crop.top], [50, 20], 'moved')
  s = moveCrop(s, 1000, 1000)
  t.same([s.crop.left, s.crop.top], [300, 200], 'stops at the right and bottom edges')
  s = moveCrop(s, -1000, -1000)
  t.same([s.crop.left, s.crop.top], [0, 0], 'and at the left and top')
})

t.test('resizing clamps to 1 pixel and to the picture', async (t) => {
  let s = moveCrop(resizeCrop(startEdit(400, 300), -300, -200), 350, 250)
  t.same([s.crop.left, s.crop.top], [300, 200])
  s = resizeCrop(s, 500, 500)
  t.same([s.crop.width, s.crop.height], [100, 100], 'no further than the picture')
  s = resizeCrop(s, -500, -500)
  t.same([s.crop.width, s.crop.height], [1, 1], 'never below 1 × 1 (a 0 × 0 crop cannot be made)')
})

t.test('square mode: the largest centred square, and it stays square', async (t) => {
  let s = setSquare(startEdit(400, 300), true)
  t.same(s.crop, { left: 50, top: 0, width: 300, height: 300 }, 'centred in the box')
  s = resizeCrop(s, -40, 0)
  t.same([s.crop.width, s.crop.height], [260, 260], 'one side changed: both change')
  s = resizeCrop(s, 500, 0)
  t.same([s.crop.width, s.crop.height], [300, 300], 'clamped by the nearer edge')
  s = drawCrop(s, { x: 10, y: 10 }, { x: 110, y: 60 })
  t.same(s.crop, { left: 10, top: 10, width: 50, height: 50 }, 'a drawn box is square too, the shorter side')
  s = drawCrop(s, { x: 200, y: 200 }, { x: 120, y: 100 })
  t.same(s.crop, { left: 120, top: 120, width: 80, height: 80 }, 'drawn up and to the left')
  t.equal(setSquare(s, false).crop.width, 80, 'free mode keeps the box')
})

t.test('a drawn box is clamped to the picture; a click keeps the box', async (t) => {
  const s = startEdit(400, 300)
  t.same(drawCrop(s, { x: -20, y: 250 }, { x: 900, y: 400 }).crop, { left: 0, top: 250, width: 400, height: 50 })
  t.same(drawCrop(s, { x: 30, y: 30 }, { x: 30.2, y: 31 }).crop, s.crop, 'no 0 × 0 box')
})

t.test('a quarter turn maps the box onto the same pixels', async (t) => {
  // 400 × 300; the box covers x 10..110, y 20..70.
  const s = { ...startEdit(400, 300), crop: { left: 10, top: 20, width: 100, height: 50 } }
  const r = rotateBy(s, 'right')
  t.same([r.rotate, turned(r)], [90, { width: 300, height: 400 }], 'turned right: 300 × 400')
  // Clockwise, (x, y) → (H − y, x): the box's corners (10, 20) and (110, 70) go to (280, 10) and (230, 110).
  t.same(r.crop, { left: 230, top: 10, width: 50, height: 100 })
  t.same(rotateBy(r, 'left'), s, 'turned back left: as it was')
  const full = rotateBy(rotateBy(rotateBy(rotateBy(s, 'right'), 'right'), 'right'), 'right')
  t.same(full, s, 'four turns: as it was')
  const l = rotateBy(s, 'left')
  t.same([l.rotate, l.crop], [270, { left: 20, top: 290, width: 50, height: 100 }], 'turned left: (x, y) → (y, W − x)')
  for (const x of [r, l, rotateBy(r, 'right')]) t.equal(cropProblem(toEdit(x), 400, 300), null, `rotate ${x.rotate}: the box is inside`)
})

t.test('levels are clamped to what the daemon takes, and agree with its schema', async (t) => {
  t.same([LEVEL_MIN, LEVEL_MAX], [EDIT_LEVEL_MIN, EDIT_LEVEL_MAX], 'the page and the daemon agree')
  const s = startEdit(10, 10)
  t.equal(setLevel(s, 'brightness', 5).brightness, 2)
  t.equal(setLevel(s, 'contrast', 0).contrast, 0.5)
  t.equal(setLevel(s, 'contrast', Number.NaN).contrast, 1, 'NaN changes nothing')
  t.same(reset(setLevel(rotateBy(s, 'right'), 'brightness', 1.5)), startEdit(10, 10), 'Reset')
})

t.test('keys step about 1% of the picture, ten times that for a big step', async (t) => {
  t.same([keyStep(startEdit(4000, 3000), false), keyStep(startEdit(4000, 3000), true), keyStep(startEdit(20, 20), false)], [40, 400, 1])
})

t.test('what the model sends is an edit the schema takes', async (t) => {
  let s = setSquare(startEdit(6000, 4000), true)
  s = setLevel(rotateBy(resizeCrop(moveCrop(s, 123, 45), -77, 0), 'left'), 'brightness', 1.25)
  const edit = toEdit(s)
  const parsed = parsePictureEdit(JSON.parse(JSON.stringify(edit)))
  t.ok(parsed.ok, 'taken')
  t.equal(cropProblem(edit, 6000, 4000), null, 'inside the picture')
  t.match(cropText(s), /^Crop 3923 × 3923 pixels, at \d+, \d+ \(square\)$/)
})

t.test('the schema refuses what is not an edit, naming the field', async (t) => {
  const ok = { rotate: 0, brightness: 1, contrast: 1 }
  const cases: [unknown, string, RegExp][] = [
    [{ ...ok, rotate: 45 }, 'rotate', /0, 90, 180 or 270/],
    [{ ...ok, rotate: '90' }, 'rotate', /0, 90, 180 or 270/],
    [{ ...ok, brightness: Number.POSITIVE_INFINITY }, 'brightness', /finite/],
    [{ ...ok, brightness: Number.NaN }, 'brightness', /finite/],
    [{ ...ok, contrast: 0.1 }, 'contrast', /at least 0.5/],
    [{ ...ok, contrast: 2.5 }, 'contrast', /at most 2/],
    [{ ...ok, crop: { left: 0, top: 0, width: 0, height: 10 } }, 'crop.width', /at least 1 pixel/],
    [{ ...ok, crop: { left: 0, top: -1, width: 5, height: 10 } }, 'crop.top', /not be negative/],
    [{ ...ok, crop: { left: 0, top: 0, width: 5.5, height: 10 } }, 'crop.width', /whole number/],
    [{ ...ok, crop: { left: 0, top: 0, width: 5 } }, 'crop.height', /finite number/],
    [{ rotate: 0, brightness: 1 }, 'contrast', /finite number/],
    [{ ...ok, filter: 'sepia' }, 'edit', /filter/],
    [null, 'edit', /expected object/],
  ]
  for (const [value, field, message] of cases) {
    const r = parsePictureEdit(value)
    t.equal(r.ok, false, `${JSON.stringify(value)} refused`)
    if (!r.ok) {
      t.equal(r.field, field, `the field is ${field}`)
      t.match(r.message, message)
      t.match(r.message, /Reset the edit and try again/, 'and says what to do')
    }
  }
  t.match(cropProblem({ ...ok, rotate: 90, crop: { left: 0, top: 0, width: 400, height: 300 } }, 400, 300) ?? '', /300 × 400 once turned/)
})
