/**
 * Secrets this machine keeps in its data folder (its own key, the network key): files that
 * only their owner may read, never half written.
 *
 * Reading checks the file through one open handle (what is checked is what is read) and
 * refuses one that group or others can read: a secret others may have copied is no longer
 * one, and carrying on quietly would hide that. Writing makes a temp file 0600 from the first
 * byte, syncs it, renames it over the old one and syncs the folder, so a crash or a power cut
 * leaves the old secret or the new one, never a torn one.
 */
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ErrorCode } from '../../shared/index.js'
import { IdentityError } from '../errors/index.js'

export interface PrivateFileCodes {
  /** Unreadable or not a file. */
  invalid: ErrorCode
  /** Group or others may read it. */
  exposed: ErrorCode
  /** What it is, for messages: "This machine's key". */
  what: string
  /** What to do about an exposed file, after the chmod: how to replace it. */
  ifCopied: string
}

/** The file's text, or null if there is none. */
export async function readPrivateFile(file: string, codes: PrivateFileCodes): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(file, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new IdentityError(codes.invalid, `Cannot read ${codes.what} ${file}: ${(err as Error).message}.`, { cause: err })
  }
  try {
    const st = await handle.stat()
    if (!st.isFile()) throw new IdentityError(codes.invalid, `${codes.what} ${file} is not a file. Move it away.`)
    // Windows has no mode bits (stat makes them up); the per-user data folder's ACL guards it there.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
      throw new IdentityError(
        codes.exposed,
        `${codes.what} ${file} can be read by other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}). ` +
          `Run: chmod 600 '${file}' — and if others may have copied it, ${codes.ifCopied}`,
      )
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

/** Temp file made 0600 from the start (never readable by others, not even for a moment), synced, renamed. */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`
  await rm(tmp, { force: true }) // a crash's leftover; 'wx' below refuses to reuse (or follow) one
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, file)
  await syncDir(dirname(file))
}

/** So the rename itself survives a power cut; Windows cannot open a folder for this. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
