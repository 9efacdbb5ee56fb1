/** What a machine keeps on disk, for tests that prove a secret is not there. */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Every byte under `dir` (the LevelDB store, its write-ahead log, the search index, the daemon's log), as latin1. */
export function diskText(dir: string): string {
  let out = ''
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const st = statSync(path)
    if (st.isDirectory()) out += diskText(path)
    else if (st.isFile()) out += readFileSync(path).toString('latin1')
  }
  return out
}
