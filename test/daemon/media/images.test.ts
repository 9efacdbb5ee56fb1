/**
 * Pictures over a set of generated images: every format kept, EXIF orientation applied and
 * all metadata (GPS included) dropped, animation kept, and the bad ones (a pixel bomb, a cut
 * file, text named .jpg) refused with their code before they cost memory or show half grey.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import t from 'tap'
import { probeImage, renderPicture } from '../../../daemon/media/index.js'
import { THUMBNAIL_PX, DISPLAY_PX } from '../../../shared/index.js'
import { pngClaiming } from '../../lib/images.js'

const photo = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#3a7' } })

t.test('every format we keep comes out in three sizes, as something a browser shows', async (t) => {
  const cases: [string, Buffer, string][] = [
    ['jpeg', await photo(2000, 1000).jpeg().toBuffer(), 'image/jpeg'],
    ['png', await photo(2000, 1000).png().toBuffer(), 'image/png'],
    ['webp', await photo(2000, 1000).webp().toBuffer(), 'image/webp'],
    ['gif', await photo(2000, 1000).gif().toBuffer(), 'image/gif'],
    ['avif', await photo(2000, 1000).avif().toBuffer(), 'image/jpeg'],
    ['tiff', await photo(2000, 1000).tiff().toBuffer(), 'image/png'],
  ]
  for (const [format, data, mime] of cases) {
    const p = await renderPicture(data)
    t.same([p.info.format, p.info.width, p.info.height], [format, 2000, 1000], `${format}: recognised from its bytes`)
    t.same([p.original.mime, p.original.width, p.original.height], [mime, 2000, 1000], `${format}: original kept as ${mime}`)
    t.same([p.display.width, p.display.height], [DISPLAY_PX, DISPLAY_PX / 2], `${format}: display size`)
    t.same([p.thumbnail.width, p.thumbnail.height], [THUMBNAIL_PX, THUMBNAIL_PX / 2], `${format}: thumbnail`)
    t.equal((await sharp(p.thumbnail.data).metadata()).format, mime.slice(6), `${format}: the thumbnail's bytes are ${mime}`)
  }
})

t.test('a small picture is not enlarged', async (t) => {
  const p = await renderPicture(await photo(100, 50).png().toBuffer())
  t.same([p.thumbnail.width, p.display.width], [100, 100])
})

t.test('a phone photo taken sideways comes out upright, with no EXIF and no location left', async (t) => {
  const data = await photo(400, 300)
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCam', Model: 'X' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer()
  const before = await sharp(data).metadata()
  t.same(
    [before.orientation, before.width, before.height, Boolean(before.exif)],
    [6, 400, 300, true],
    'the test photo is sideways, with EXIF',
  )
  const p = await renderPicture(data)
  t.same([p.info.width, p.info.height], [300, 400], 'probed upright')
  for (const r of [p.original, p.display, p.thumbnail]) {
    const m = await sharp(r.data).metadata()
    t.same(
      [m.width, m.height, m.orientation, m.exif, m.xmp],
      [r.width, r.height, undefined, undefined, undefined],
      `${r.width}×${r.height}: upright, no EXIF, no XMP`,
    )
    t.notOk(r.data.includes(Buffer.from('PhoneCam')), `${r.width}×${r.height}: the camera's name is nowhere in the bytes`)
  }
})

t.test('an animated GIF stays animated in every size', async (t) => {
  const frames = await Promise.all(
    ['#f00', '#0f0', '#00f'].map((c) =>
      sharp({ create: { width: 640, height: 480, channels: 3, background: c } })
        .raw()
        .toBuffer(),
    ),
  )
  // Raw frames stacked, with the height of one page: sharp writes them as frames of a GIF.
  const three = await sharp(Buffer.concat(frames), { raw: { width: 640, height: 480 * 3, channels: 3, pageHeight: 480 } as never })
    .gif()
    .toBuffer()
  t.equal((await sharp(three, { animated: true }).metadata()).pages, 3, 'the test GIF has three frames')
  const p = await renderPicture(three)
  t.same([p.info.frames, p.info.width, p.info.height], [3, 640, 480], 'three frames of 640 × 480')
  for (const r of [p.original, p.thumbnail]) {
    const m = await sharp(r.data, { animated: true }).metadata()
    t.same([m.format, m.pages], ['gif', 3], `${r.width}×${r.height}: still three frames`)
  }
  t.same([p.thumbnail.width, p.thumbnail.height], [320, 240], 'each frame thumbnailed, not the strip')
})

t.test('bad pictures are refused with a reason, before they cost anything', async (t) => {
  const bomb = pngClaiming(50000, 50000)
  t.ok(bomb.length < 100_000, `the bomb is ${bomb.length} bytes claiming 2.5 gigapixels`)
  const started = process.memoryUsage().rss
  await t.rejects(renderPicture(bomb), { code: 'image_too_large', message: /50000 × 50000/ }, 'a 50000 × 50000 PNG: image_too_large')
  t.ok(process.memoryUsage().rss - started < 200 * 1024 * 1024, 'and refused from its header, without allocating its pixels')
  const jpeg = await photo(1200, 900).jpeg().toBuffer()
  await t.rejects(renderPicture(jpeg.subarray(0, jpeg.length >> 1)), { code: 'corrupt_image' }, 'a JPEG cut in half: corrupt_image')
  await t.rejects(
    renderPicture(Buffer.from('Dear team,\nthe meeting moved to 3pm.\n')),
    { code: 'unsupported_image', message: /not a picture/ },
    'a text file named .jpg: unsupported_image',
  )
  await t.rejects(
    probeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
    { code: 'unsupported_image' },
    'SVG (active content) is not a picture here',
  )
  await t.rejects(renderPicture(Buffer.alloc(0)), { code: 'unsupported_image' }, 'nothing at all')
})

t.test('a daemon that has made no picture has not loaded sharp (issue 18: idle memory)', async (t) => {
  // Its own process, from the build: this one has sharp loaded (above). libvips and sharp's
  // addon are mapped into a process once sharp is imported, so /proc/PID/maps tells.
  const dir = await mkdtemp(join(tmpdir(), 'sochat-lazy-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const cli = fileURLToPath(new URL('../../../dist/daemon/cli.js', import.meta.url))
  const child = spawn(process.execPath, [cli, 'start', '--no-mdns', '--data-dir', dir, '--ui-port', '0', '--peer-port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  t.teardown(() => void child.kill('SIGKILL'))
  let said = ''
  child.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()))
  for (const deadline = Date.now() + 60_000; !/SO-CHAT is running/.test(said); await sleep(100))
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the daemon did not start: ${said}`)
  const { ui } = JSON.parse(await readFile(join(dir, 'sochatd.json'), 'utf8')) as { ui: string }
  t.equal((await fetch(`${ui}/api/v1/status`)).status, 200, 'the daemon is up and answering')
  t.notMatch(await readFile(`/proc/${child.pid}/maps`, 'utf8'), /libvips|sharp-/, 'neither sharp nor libvips is in its memory')
})
