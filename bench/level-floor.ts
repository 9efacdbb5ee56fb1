/**
 * The disk's floor under a catch-up (issue 18): LevelDB alone taking N values the size of a
 * signed `message.posted` log entry, keyed by sequence number, in synced batches of 2,000 (a
 * relay's `entries` frame), one batch after another. No views, ids, chain, checks or search:
 * whatever catch-up does beyond this is the daemon's. Same `level` package and options as the
 * daemon's store.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Level } from 'level'
import { tempDir } from './proc.js'

const FRAME = 2000

/** A value shaped like a signed message entry in the log (~450 bytes of JSON). */
function entryLike(seq: number): string {
  return JSON.stringify({
    id: randomBytes(12).toString('base64url'),
    ts: 1_700_000_000_000 + seq,
    origin: '0123456789abcdef',
    body: { type: 'message.posted', room: 'general', author: 'bench', text: `catch-up ${seq}` },
    sig: randomBytes(64).toString('base64url'),
    seq,
    term: 1,
  })
}

export async function levelFloor(entries: number): Promise<{ entries: number; perS: number }> {
  const tmp = tempDir('level-floor')
  const db = new Level<string, string>(join(tmp.dir, 'db'), { valueEncoding: 'utf8' })
  try {
    await db.open()
    // Made before the clock starts: the floor is the disk's, not JSON's.
    const frames: { type: 'put'; key: string; value: string }[][] = []
    for (let from = 1; from <= entries; from += FRAME) {
      const ops: { type: 'put'; key: string; value: string }[] = []
      for (let seq = from; seq < Math.min(from + FRAME, entries + 1); seq++)
        ops.push({ type: 'put', key: String(seq).padStart(12, '0'), value: entryLike(seq) })
      frames.push(ops)
    }
    const start = performance.now()
    for (const ops of frames) await db.batch(ops, { sync: true })
    const ms = performance.now() - start
    return { entries, perS: Math.round(entries / (ms / 1000)) }
  } finally {
    await db.close()
    tmp.remove()
  }
}
