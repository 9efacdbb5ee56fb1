/**
 * Installs or removes SO-CHAT as a service from a checkout, the same as `sochat install-service`
 * and `sochat uninstall-service` (the flags and the work live in daemon/service):
 *
 *   npx tsx scripts/install-service.ts [install|uninstall] [flags]
 *
 * The service runs the built daemon (dist/daemon/cli.js): `npm run build` first.
 */
import { runServiceCommand, type ServiceAction } from '../daemon/service/command.js'
import { SERVICE_USAGE } from '../daemon/service/options.js'

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === 'install' || first === 'uninstall') return runServiceCommand(first satisfies ServiceAction, rest)
  if (first === undefined || first.startsWith('-')) return runServiceCommand('install', argv)
  console.error(`Unknown action "${first}": use install or uninstall.\n${SERVICE_USAGE}`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`install-service: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  },
)
