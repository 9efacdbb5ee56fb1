/**
 * sochatd.json, the running daemon's pid file (written by daemon.ts once it serves): read for
 * `sochat stop`, and removed by the daemon itself when it exits, so a file left behind means
 * a daemon that was killed or crashed. Only a file naming this very process is removed, so a
 * second daemon that took the folder over keeps its own.
 */
import { readFileSync, rmSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { runtimeFile, type RuntimeInfo } from '../config/index.js'

/** The file's contents, or null when there is none; an unreadable file counts as one naming nobody. */
export async function readPidFile(dataDir: string): Promise<Partial<RuntimeInfo> | null> {
  let text: string
  try {
    text = await readFile(runtimeFile(dataDir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  try {
    return JSON.parse(text) as Partial<RuntimeInfo>
  } catch {
    return {}
  }
}

export async function removePidFile(dataDir: string): Promise<void> {
  await rm(runtimeFile(dataDir), { force: true })
}

/** Synchronous, for process 'exit' (a crash included): removes the file only if it names this process. */
export function removeOwnPidFile(dataDir: string, pid = process.pid): void {
  try {
    const info = JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as Partial<RuntimeInfo>
    if (info.pid === pid) rmSync(runtimeFile(dataDir), { force: true })
  } catch {
    // No file, or not ours to judge: leave it (stop treats an unanswered file as stale).
  }
}
