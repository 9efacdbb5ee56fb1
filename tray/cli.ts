#!/usr/bin/env node
/**
 * `sochat-tray [--data-dir DIR]`: the tray icon for the daemon whose data folder is DIR (the
 * same default as `sochat start`). Started with the desktop session (sochat install-service).
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import envPaths from 'env-paths'
import pino from 'pino'
import { defaultDataDir } from '../daemon/config/index.js'
import { Tray, TrayUnavailable } from './index.js'

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: { 'data-dir': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    console.log('Usage: sochat-tray [--data-dir DIR] [--log-level LEVEL]')
    return 0
  }
  const log = pino({ level: values['log-level'] ?? 'info' }).child({ part: 'tray' })
  const tray = new Tray({
    dataDir: values['data-dir'] ?? defaultDataDir(),
    cacheDir: join(envPaths('sochat', { suffix: '' }).cache, 'tray-helper'),
    log,
  })
  process.once('SIGINT', () => tray.quit())
  process.once('SIGTERM', () => tray.quit())
  try {
    if (!(await tray.run())) return 1
  } catch (err) {
    if (!(err instanceof TrayUnavailable)) throw err
    // Notifications come from the daemon, so they keep working without the icon.
    log.error(`No tray icon can be shown: ${err.message} SO-CHAT and its notifications keep working without it.`)
    return 3
  }
  return 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`sochat-tray: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
