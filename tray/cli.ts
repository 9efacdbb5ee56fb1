#!/usr/bin/env node
/**
 * `sochat-tray [--data-dir DIR]`: the tray icon for the daemon whose data folder is DIR (the
 * same default as `sochat start`). Started with the desktop session (sochat install-service).
 */
import { join } from 'node:path'
import envPaths from 'env-paths'
import pino from 'pino'
import {
  BadValueError,
  checkLogLevel,
  checkValues,
  DATA_DIR_FLAG,
  describeFlags,
  type FlagSet,
  parseFlags,
  UsageError,
} from '../daemon/cli/flags.js'
import { packageVersion } from '../daemon/cli/version.js'
import { defaultDataDir } from '../daemon/config/index.js'
import { Tray, TrayUnavailable } from './index.js'

const FLAGS: FlagSet = {
  ...DATA_DIR_FLAG,
  'log-level': { type: 'string', value: 'LEVEL', help: 'how much to log (default info)' },
  version: { type: 'boolean', help: 'print the version and exit' },
}

const USAGE = `Usage: sochat-tray [flags]

The SO-CHAT tray icon for the daemon whose data folder is DIR. Exit status: 0 done,
1 failed, 2 wrong flags, 3 no tray icon can be shown here (notifications keep working).

Flags:
${describeFlags(FLAGS)}`

async function main(): Promise<number> {
  const values = parseFlags(FLAGS, process.argv.slice(2), USAGE)
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (values.version) {
    console.log(packageVersion())
    return 0
  }
  const level = checkValues(() => checkLogLevel(values['log-level'] as string | undefined)) ?? 'info'
  const log = pino({ level }).child({ part: 'tray' })
  const tray = new Tray({
    dataDir: (values['data-dir'] as string | undefined) ?? defaultDataDir(),
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
    process.exit(err instanceof UsageError || err instanceof BadValueError ? 2 : 1)
  },
)
