/**
 * What sealing a file costs (issue 14, item 4: files in end-to-end encrypted rooms), in this
 * process (no daemon), with the daemon's own code on a real blob store in a temporary folder:
 *
 * - seal: `sealBlob` (daemon/files/sealed.ts) reads a 100 MiB plaintext blob from disk, puts it
 *   through libsodium secretstream (XChaCha20-Poly1305, 64 KiB chunks) and writes the sealed
 *   blob while hashing it (SHA-256 of the ciphertext), as a post into an encrypted room does;
 * - open: `openBlob` reads the sealed blob and decrypts it as a download does, into a SHA-256
 *   (checked against the plaintext's: every byte came back) and nowhere else;
 * - floor: the same file only read and hashed (what storing or serving a plain file costs here).
 *
 * Memory: the process's RSS sampled every 20 ms during each step, the peak over what it was
 * before: a streamed file must not grow with its size. The file is a 16 MiB random block
 * repeated (random, so nothing compresses; the disk cache holds it, so this is CPU, not disk).
 * Scenario `sealed-files` of `npm run bench`; the median of 3 runs (quick: 1).
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { BlobStore, openBlob, sealBlob } from '../daemon/files/index.js'

const MIB = 1024 * 1024
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits

export interface SealedFileCosts {
  mib: number
  runs: number
  sealMBs: number
  openMBs: number
  floorMBs: number
  sealRssMiB: number
  openRssMiB: number
}

/** Runs `work`, sampling RSS; resolves to its seconds and the RSS peak above the start, in MiB. */
async function measured(work: () => Promise<void>): Promise<{ s: number; rssMiB: number }> {
  global.gc?.()
  const before = process.memoryUsage.rss()
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  const started = performance.now()
  try {
    await work()
  } finally {
    clearInterval(sampler)
  }
  const s = (performance.now() - started) / 1000
  return { s, rssMiB: (Math.max(peak, process.memoryUsage.rss()) - before) / MIB }
}

async function writeFile(path: string, mib: number): Promise<void> {
  const block = randomBytes(16 * MIB)
  const out = createWriteStream(path)
  for (let written = 0; written < mib * MIB; written += block.length) {
    if (!out.write(block.subarray(0, Math.min(block.length, mib * MIB - written))))
      await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

async function hashOf(stream: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of stream) hash.update(chunk)
  return hash.digest('hex')
}

export async function sealedFileCosts(opts: { mib: number; runs: number }): Promise<SealedFileCosts> {
  const dir = await mkdtemp(join(tmpdir(), 'sochat-bench-sealed-'))
  try {
    const blobs = await BlobStore.open(join(dir, 'blobs'), 0)
    await writeFile(join(dir, 'plain'), opts.mib)
    const plain = await blobs.adopt(join(dir, 'plain'))
    const seal: number[] = []
    const open: number[] = []
    const floor: number[] = []
    let sealRss = 0
    let openRss = 0
    for (let run = 0; run < opts.runs; run++) {
      floor.push((await measured(async () => void (await hashOf(blobs.read(plain.sha256))))).s)
      let sealed: Awaited<ReturnType<typeof sealBlob>> | null = null
      const s = await measured(async () => {
        sealed = await sealBlob(blobs, plain.sha256)
      })
      seal.push(s.s)
      sealRss = Math.max(sealRss, s.rssMiB)
      let back = ''
      const o = await measured(async () => {
        back = await hashOf(await openBlob(blobs, sealed!))
      })
      if (back !== plain.sha256) throw new Error('the sealed file did not open to the same bytes')
      open.push(o.s)
      openRss = Math.max(openRss, o.rssMiB)
      await blobs.remove(sealed!.blob)
    }
    const rate = (xs: number[]) => round((opts.mib * MIB) / 1e6 / median(xs))
    return {
      mib: opts.mib,
      runs: opts.runs,
      sealMBs: rate(seal),
      openMBs: rate(open),
      floorMBs: rate(floor),
      sealRssMiB: round(sealRss, 1),
      openRssMiB: round(openRss, 1),
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The `sealed-files` scenario of `npm run bench` (its Ctx, as much of it as is used: no import of scenarios.ts, which imports this). */
export async function scenario(ctx: { quick: boolean; row: (r: [string, string]) => void }): Promise<void> {
  const c = await sealedFileCosts({ mib: 100, runs: ctx.quick ? 1 : 3 })
  const of = `${c.mib} MiB file, streamed, median of ${c.runs}`
  ctx.row([
    `sealing a file for an encrypted room (disk → secretstream XChaCha20-Poly1305, 64 KiB chunks → disk + SHA-256), ${of}`,
    `**${c.sealMBs} MB/s**, RSS +${c.sealRssMiB} MiB at most`,
  ])
  ctx.row([
    `opening it for a member's download (disk → secretstream → SHA-256 of the plaintext, checked), ${of}`,
    `**${c.openMBs} MB/s**, RSS +${c.openRssMiB} MiB at most`,
  ])
  ctx.row([`floor: the same plain file read and hashed, ${of}`, `**${c.floorMBs} MB/s**`])
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mib = Number(process.argv[2] ?? 100)
  sealedFileCosts({ mib, runs: 1 }).then((c) => console.log(c))
}
