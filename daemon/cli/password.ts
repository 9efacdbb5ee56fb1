/**
 * The password for a CLI command that acts as a person (`sochat export`): typed at a terminal
 * with nothing echoed, or read from a file (`--password-file FILE`, `-` for stdin) by scripts.
 * Never from a flag or an environment variable, which other processes of the same user and the
 * shell's history can see.
 */
import { readFile } from 'node:fs/promises'
import { BadValueError } from './flags.js'

export async function readPassword(file: string | undefined, prompt: string): Promise<string> {
  if (file !== undefined) {
    const text =
      file === '-'
        ? await readStdin()
        : await readFile(file, 'utf8').catch((err: Error) => {
            throw new BadValueError(`Cannot read the password file ${file}: ${err.message}`, { cause: err })
          })
    const line = text.split(/\r?\n/)[0] ?? ''
    if (line === '') throw new BadValueError(`The password file ${file} is empty; its first line is the password.`)
    return line
  }
  if (!process.stdin.isTTY) {
    throw new BadValueError('No terminal to type the password in: give --password-file FILE (or - to read it from stdin).')
  }
  return askHidden(prompt)
}

async function readStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return text
}

/** One line from the terminal in raw mode, echoing nothing; Ctrl-C aborts. */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  stdin.resume()
  return new Promise((resolve, reject) => {
    let typed = ''
    const done = (err?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (err) reject(err)
      else resolve(typed)
    }
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n') return done()
        if (c === '\u0003') return done(new Error('Cancelled.'))
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1)
        else typed += c
      }
    }
    stdin.on('data', onData)
  })
}
