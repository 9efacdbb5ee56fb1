#!/usr/bin/env node
/**
 * `sochat`: start the daemon in the foreground, ask a running one for its status, stop it,
 * install or remove it as a service. The commands and their flags are in cli/commands.ts; the
 * CLI talks to a running daemon over the unix socket in its data folder and never opens the
 * database.
 */
import { runCli } from './cli/index.js'

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`sochat: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  },
)
