/**
 * Images: one generated 12-megapixel JPEG (4000 × 3000, noise over gradients, quality 90),
 * thumbnailed to 320 px wide, median of `runs` after a warm-up, one libvips thread like Pillow:
 * - the daemon's own thumbnail (`renderThumbnail` of the build under test: probe, autoOrient,
 *   resize inside 320, mozjpeg q85); a build from before issue 18 did not export it, so its
 *   row runs the same sharp calls its renderPicture made;
 * - plain sharp as this bench timed it before (`sharp(file).resize(320).jpeg(80)`);
 * - the floor both libraries share: libjpeg-turbo decoding the file at 1/8 scale, reduced to
 *   320 px and not encoded (Huffman decoding every coefficient cannot be shrunk away);
 * - Pillow (Debian's python3-pil, timed inside Python): `thumbnail` + save, and its own
 *   decode alone (`draft`, as `thumbnail` uses it, + `load`).
 * Each output is checked to be 320 × 240.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import sharp from 'sharp'
import type { Build } from './build.js'
import { percentile, round, tempDir } from './proc.js'

export interface ImagesResult {
  megapixels: number
  fileMiB: number
  runs: number
  /** The daemon's thumbnail, as the build under test makes it. */
  daemonMs: number
  daemonNote: string
  /** Plain `sharp(file).resize(320).jpeg(80)`. */
  sharpMs: number
  /** libjpeg-turbo's decode at 1/8 scale, reduced to 320 px, raw pixels: no encode. */
  floorMs: number
  pillowMs: number | null
  pillowDecodeMs: number | null
  pillowNote?: string
}

const PILLOW = `
import sys, time, io
from PIL import Image
path, runs = sys.argv[1], int(sys.argv[2])
def timed(step):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        size = step()
        times.append((time.perf_counter() - t) * 1000)
    return times, size
def thumbnail():
    with Image.open(path) as im:
        im.thumbnail((320, 100000))
        im.save(io.BytesIO(), 'JPEG', quality=80)
        return im.size
def decode():
    with Image.open(path) as im:
        im.draft('RGB', (640, 480))  # what thumbnail asks (2 × 320 × 240, reducing_gap 2.0): 1/4 scale here
        im.load()
        return None
made, size = timed(thumbnail)
if size != (320, 240): raise SystemExit('pillow made %r' % (size,))
alone, _ = timed(decode)
print(' '.join('%.3f' % x for x in made))
print(' '.join('%.3f' % x for x in alone))
`

type Thumbnailer = (data: Buffer) => Promise<{ width: number; height: number }>

/** The build's thumbnail function, or for a build without one the calls its renderPicture made. */
async function daemonThumbnail(build: Build): Promise<{ make: Thumbnailer; note: string }> {
  const media = await import(pathToFileURL(join(build.root, 'dist', 'daemon', 'media', 'index.js')).href)
  if (typeof media.renderThumbnail === 'function') return { make: media.renderThumbnail, note: 'renderThumbnail' }
  const OPEN = { limitInputPixels: 24_000_000, failOn: 'truncated', animated: true } as const
  const make: Thumbnailer = async (data) => {
    await media.probeImage(data)
    const { info } = await sharp(data, OPEN)
      .autoOrient()
      .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer({ resolveWithObject: true })
    return info
  }
  return { make, note: "renderPicture's thumbnail calls" }
}

async function makeJpeg(path: string): Promise<void> {
  const w = 4000,
    h = 3000
  const raw = Buffer.alloc(w * h * 3)
  let seed = 12345
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      const n = (seed >> 16) & 63
      const i = (y * w + x) * 3
      raw[i] = ((x * 255) / w + n) & 255
      raw[i + 1] = ((y * 255) / h + n) & 255
      raw[i + 2] = ((x + y) / 28 + n) & 255
    }
  }
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toFile(path)
}

/** Median of `runs` calls after one to warm up, each checked to make `width` × `height`. */
async function median(runs: number, size: [number, number], step: () => Promise<{ width: number; height: number }>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs + 1; i++) {
    const t = performance.now()
    const made = await step()
    if (i > 0) times.push(performance.now() - t)
    if (made.width !== size[0] || made.height !== size[1]) throw new Error(`made ${made.width} × ${made.height}, not ${size.join(' × ')}`)
  }
  return round(percentile(times, 50), 1)
}

export async function images(opts: { runs: number; build: Build }): Promise<ImagesResult> {
  const tmp = tempDir('images')
  try {
    const file = join(tmp.dir, 'photo.jpg')
    await makeJpeg(file)
    const data = readFileSync(file)
    const daemon = await daemonThumbnail(opts.build)
    sharp.concurrency(1) // one thread like Pillow
    const result: ImagesResult = {
      megapixels: 12,
      fileMiB: round(data.length / 2 ** 20, 1),
      runs: opts.runs,
      daemonMs: await median(opts.runs, [320, 240], () => daemon.make(data)),
      daemonNote: daemon.note,
      sharpMs: await median(
        opts.runs,
        [320, 240],
        async () => (await sharp(file).resize({ width: 320 }).jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true })).info,
      ),
      // Decoded at 1/8 (500 × 375) and reduced to 320, never encoded. (Asking for 500 wide would
      // not do: sharp halves a shrink-on-load equal to the whole shrink, libjpeg rounding, to 1/4.)
      floorMs: await median(
        opts.runs,
        [320, 240],
        async () => (await sharp(data).resize({ width: 320 }).raw().toBuffer({ resolveWithObject: true })).info,
      ),
      pillowMs: null,
      pillowDecodeMs: null,
    }
    writeFileSync(join(tmp.dir, 'thumb.py'), PILLOW)
    const py = spawnSync('/usr/bin/python3', [join(tmp.dir, 'thumb.py'), file, String(opts.runs + 1)], {
      encoding: 'utf8',
      timeout: 120_000,
    })
    if (py.status === 0) {
      const [made, alone] = py.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ').slice(1).map(Number))
      result.pillowMs = round(percentile(made!, 50), 1)
      result.pillowDecodeMs = round(percentile(alone!, 50), 1)
    } else
      result.pillowNote = `Pillow not run: ${(py.stderr || py.error?.message || '').trim().split('\n').pop()} (apt-get install -y python3-pil)`
    return result
  } finally {
    tmp.remove()
  }
}
