/**
 * The tray proves it runs as this machine's user by reading a file only that user can read.
 * The daemon makes it once and keeps it, so a tray started before a daemon restart still
 * authenticates after it.
 */
import { randomBytes } from 'node:crypto'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AGENT_SECRET_FILE } from '../../shared/index.js'

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/

export function agentSecretPath(dataDir: string): string {
  return join(dataDir, AGENT_SECRET_FILE)
}

export async function ensureAgentSecret(dataDir: string): Promise<string> {
  const file = agentSecretPath(dataDir)
  const existing = await readFile(file, 'utf8').then(
    (s) => s.trim(),
    () => null,
  )
  if (existing !== null && SECRET_PATTERN.test(existing)) {
    // Tighten a copy restored with looser permissions, before anyone else can read it.
    await chmod(file, 0o600)
    return existing
  }
  const secret = randomBytes(32).toString('base64url')
  await writeFile(file, `${secret}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return secret
}
