/**
 * Picture edits applied by the daemon (daemon/media/edits.ts through renderPicture): exact
 * dimensions for a crop after a turn, the EXIF orientation applied first, EXIF and GPS gone,
 * brightness and contrast moving the mean the right way, one encode from the uploaded bytes,
 * and the edits a picture cannot take refused with their code before a pixel is decoded.
 */
import sharp from 'sharp'
import t from 'tap'
import { renderPicture } from '../../../daemon/media/index.js'
import type { PictureEdit } from '../../../shared/index.js'

const plain: PictureEdit = { rotate: 0, brightness: 1, contrast: 1 }
const grey = (w: number, h: number, v = 100) => sharp({ create: { width: w, height: h, channels: 3, background: { r: v, g: v, b: v } } })
const mean = async (data: Buffer) => (await sharp(data).stats()).channels.slice(0, 3).reduce((s, c) => s + c.mean, 0) / 3

/** A 400 × 300 JPEG stored sideways (EXIF orientation 6: shown 300 × 400), with a location. */
async function sidewaysPhoto(): Promise<Buffer> {
  return grey(400, 300)
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer()
}

t.test('a crop after a quarter turn has exactly its size, in every rendition', async (t) => {
  const data = await sidewaysPhoto()
  const before = await sharp(data).metadata()
  t.equal(before.orientation, 6, 'the test photo is stored sideways')
  t.ok(before.exif, 'and carries EXIF')
  const p = await renderPicture(data, { ...plain, rotate: 90, crop: { left: 10, top: 20, width: 250, height: 120 } })
  t.same([p.info.width, p.info.height], [300, 400], 'info is the upload, upright')
  t.same([p.original.width, p.original.height], [250, 120], 'the original is the crop')
  t.same([p.display.width, p.display.height], [250, 120], 'not enlarged for display')
  const meta = await sharp(p.original.data).metadata()
  t.same([meta.width, meta.height], [250, 120], 'the bytes say so too')
  t.equal(meta.exif, undefined, 'no EXIF (so no GPS) left')
  t.equal(meta.orientation, undefined, 'no orientation tag left to turn it again')
  t.notOk(p.original.data.includes(Buffer.from('PhoneCam')), "the camera's name is nowhere in the bytes")
})

t.test('the crop is in the upright picture: EXIF orientation is applied before the turn', async (t) => {
  // Upright the photo is 300 × 400; turned 90° it is 400 × 300, so a 400-wide crop fits only then.
  const data = await sidewaysPhoto()
  const turned = await renderPicture(data, { ...plain, rotate: 90, crop: { left: 0, top: 0, width: 400, height: 300 } })
  t.same([turned.original.width, turned.original.height], [400, 300])
  await t.rejects(renderPicture(data, { ...plain, crop: { left: 0, top: 0, width: 400, height: 300 } }), { code: 'bad_picture_edit' })
  const half = await renderPicture(data, { ...plain, rotate: 180, crop: { left: 0, top: 0, width: 300, height: 200 } })
  t.same([half.original.width, half.original.height], [300, 200])
})

t.test('a turn moves the pixels where the editor showed them', async (t) => {
  // 200 × 100: left half black, right half white. Turned 90° clockwise, the white half is at the bottom.
  const half = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#fff' } })
    .png()
    .toBuffer()
  const data = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#000' } })
    .composite([{ input: half, left: 100, top: 0 }])
    .png()
    .toBuffer()
  const p = await renderPicture(data, { ...plain, rotate: 90, crop: { left: 0, top: 100, width: 100, height: 100 } })
  t.ok((await mean(p.original.data)) > 250, 'the bottom square of the turned picture is the white half')
  const q = await renderPicture(data, { ...plain, rotate: 270, crop: { left: 0, top: 100, width: 100, height: 100 } })
  t.ok((await mean(q.original.data)) < 5, 'turned the other way, it is the black half')
})

t.test('brightness and contrast move the mean the expected way', async (t) => {
  const data = await grey(64, 64, 100).png().toBuffer()
  const base = await mean((await renderPicture(data)).original.data)
  t.ok(Math.abs(base - 100) < 1, 'unedited: as it was')
  const brighter = await mean((await renderPicture(data, { ...plain, brightness: 1.5 })).original.data)
  t.ok(Math.abs(brighter - 150) < 1, `brightness 1.5: 100 → 150 (got ${brighter})`)
  const darker = await mean((await renderPicture(data, { ...plain, brightness: 0.5 })).original.data)
  t.ok(Math.abs(darker - 50) < 1, `brightness 0.5: 100 → 50 (got ${darker})`)
  // Contrast pivots on 128: a grey below it goes darker, as CSS contrast() does.
  const contrasted = await mean((await renderPicture(data, { ...plain, contrast: 2 })).original.data)
  t.ok(Math.abs(contrasted - 72) < 1, `contrast 2: 100 → 72 (got ${contrasted})`)
})

t.test('alpha is left alone by brightness', async (t) => {
  const data = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 100, g: 100, b: 100, alpha: 0.5 } } })
    .png()
    .toBuffer()
  const p = await renderPicture(data, { ...plain, brightness: 2 })
  const stats = await sharp(p.original.data).stats()
  t.equal(Math.round(stats.channels[3]!.mean), 128, 'alpha still half')
  t.equal(Math.round(stats.channels[0]!.mean), 200, 'colour doubled')
})

t.test('a cropped JPEG is encoded once, from the uploaded bytes', async (t) => {
  const data = await sharp({
    create: { width: 640, height: 480, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .jpeg({ quality: 95 })
    .toBuffer()
  const crop = { left: 33, top: 17, width: 320, height: 240 }
  const p = await renderPicture(data, { ...plain, crop })
  const once = await sharp(data).autoOrient().extract(crop).jpeg({ quality: 85, mozjpeg: true }).toBuffer()
  t.ok(p.original.data.equals(once), 'byte for byte one encode of the upload, cropped')
  const unedited = (await renderPicture(data)).original.data
  const twice = await sharp(unedited).extract(crop).jpeg({ quality: 85, mozjpeg: true }).toBuffer()
  t.notOk(p.original.data.equals(twice), 'not a crop of the already re-encoded copy')
})

t.test('edits a picture cannot take are refused with their code', async (t) => {
  const data = await grey(100, 50).png().toBuffer()
  await t.rejects(renderPicture(data, { ...plain, crop: { left: 90, top: 0, width: 20, height: 10 } }), {
    code: 'bad_picture_edit',
    message: /outside the picture, which is 100 × 50/,
  })
  await t.rejects(renderPicture(data, { ...plain, rotate: 90, crop: { left: 0, top: 0, width: 100, height: 50 } }), {
    code: 'bad_picture_edit',
    message: /50 × 100 once turned/,
  })
  // Two different frames (a GIF writer merges identical ones), stacked with the height of one.
  const frames = [await grey(40, 40, 10).raw().toBuffer(), await grey(40, 40, 240).raw().toBuffer()]
  const animated = await sharp(Buffer.concat(frames), { raw: { width: 40, height: 80, channels: 3, pageHeight: 40 } as never })
    .gif()
    .toBuffer()
  t.equal((await sharp(animated, { animated: true }).metadata()).pages, 2, 'the test GIF has two frames')
  await t.rejects(renderPicture(animated, { ...plain, rotate: 90 }), { code: 'picture_not_editable', message: /Animated pictures/ })
})
