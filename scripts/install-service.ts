/**
 * Installs or removes SO-CHAT as a service from a checkout, the same as `sochat install-service`
 * and `sochat uninstall-service` (the flags and the work live in daemon/cli and daemon/service):
 *
 *   npx tsx scripts/install-service.ts [install|uninstall] [flags]
 *
 * From a clone the installer refuses unless --from-clone is given: a service should run an
 * installed copy (README), whose path does not move.
 */
import { runCli } from '../daemon/cli/index.js'

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === 'install' || first === 'uninstall') return runCli([`${first}-service`, ...rest])
  if (first === undefined || first.startsWith('-')) return runCli(['install-service', ...argv])
  console.error(`Unknown action "${first}": use install or uninstall (then the flags of \`sochat install-service --help\`).`)
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
