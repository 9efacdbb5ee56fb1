/**
 * The `sochat` command line: `runCli(argv)` runs one command and returns its exit status
 * (0 done, 1 failed, 2 wrong command or flags; `stop` has its own for "nothing to stop").
 * daemon/cli.ts is the executable around it; scripts/install-service.ts uses it too.
 */
import { SochatError } from '../errors/index.js'
import { commandUsage, findCommand, mainUsage } from './commands.js'
import { BadValueError, parseFlags, UsageError } from './flags.js'
import { packageVersion } from './version.js'

export { COMMANDS } from './commands.js'
export { STOP_EXIT } from './stop.js'

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(packageVersion())
    return EXIT.ok
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(mainUsage())
    return EXIT.ok
  }
  if (name === undefined) {
    console.error(mainUsage())
    return EXIT.usage
  }
  const command = findCommand(name)
  if (!command) {
    console.error(`sochat: there is no command "${name}".\n\n${mainUsage()}`)
    return EXIT.usage
  }
  try {
    const values = parseFlags(command.flags, args, commandUsage(command))
    if (values.help === true) {
      console.log(commandUsage(command))
      return EXIT.ok
    }
    return await command.run(values, args)
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sochat ${name}: ${err.message}`)
      return EXIT.usage
    }
    if (err instanceof BadValueError) {
      console.error(`sochat ${name}: ${err.message} (\`sochat ${name} --help\` lists the flags.)`)
      return EXIT.usage
    }
    // The code too, so a service log (a refused machine key...) can be searched for it.
    const message = err instanceof SochatError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err)
    console.error(`sochat ${name}: ${message}`)
    return EXIT.failed
  }
}
