/**
 * Images: one generated 12-megapixel JPEG (4000 × 3000, noise over gradients, quality 90),
 * thumbnailed to 320 px wide with sharp (in this process) and with Pillow (Debian's
 * python3-pil, timed inside Python so interpreter start-up is not counted), median of `runs`.
 * Both decode from the file and encode a JPEG; each output is checked to be 320 × 240.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { percentile, round, tempDir } from './proc.js'

export interface ImagesResult {
  megapixels: number
  fileMiB: number
  runs: number
  sharpMs: number
  pillowMs: number | null
  pillowNote?: string
}

const PILLOW = `
import sys, time, io
from PIL import Image
path, runs = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(runs):
    t = time.perf_counter()
    with Image.open(path) as im:
        im.thumbnail((320, 100000))
        out = io.BytesIO()
        im.save(out, 'JPEG', quality=80)
    times.append((time.perf_counter() - t) * 1000)
    if im.size != (320, 240): raise SystemExit('pillow made %r' % (im.size,))
print(' '.join('%.3f' % x for x in times))
`

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

export async function images(opts: { runs: number }): Promise<ImagesResult> {
  const tmp = tempDir('images')
  try {
    const file = join(tmp.dir, 'photo.jpg')
    await makeJpeg(file)
    const fileMiB = round(readFileSync(file).length / 2 ** 20, 1)
    sharp.concurrency(1) // one thread like Pillow, on a 2-core machine shared with nothing else now
    const times: number[] = []
    for (let i = 0; i < opts.runs + 1; i++) {
      const t = performance.now()
      const { info } = await sharp(file).resize({ width: 320 }).jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true })
      if (i > 0) times.push(performance.now() - t) // the first run warms the library up
      if (info.width !== 320 || info.height !== 240) throw new Error(`sharp made ${info.width} × ${info.height}`)
    }
    const result: ImagesResult = { megapixels: 12, fileMiB, runs: opts.runs, sharpMs: round(percentile(times, 50), 1), pillowMs: null }
    writeFileSync(join(tmp.dir, 'thumb.py'), PILLOW)
    const py = spawnSync('/usr/bin/python3', [join(tmp.dir, 'thumb.py'), file, String(opts.runs + 1)], {
      encoding: 'utf8',
      timeout: 120_000,
    })
    if (py.status === 0) result.pillowMs = round(percentile(py.stdout.trim().split(' ').slice(1).map(Number), 50), 1)
    else
      result.pillowNote = `Pillow not run: ${(py.stderr || py.error?.message || '').trim().split('\n').pop()} (apt-get install -y python3-pil)`
    return result
  } finally {
    tmp.remove()
  }
}
