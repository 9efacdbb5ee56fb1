/**
 * Opens an address in the person's default browser: `xdg-open` on Linux, `open` on macOS,
 * `start` on Windows. `SOCHAT_BROWSER` names another command (a script, a test's recorder).
 */
import { spawn } from 'node:child_process'
import type { Logger } from 'pino'

export function browserCommand(url: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): [string, string[]] {
  const chosen = env.SOCHAT_BROWSER?.trim()
  if (chosen) return [chosen, [url]]
  if (platform === 'darwin') return ['open', [url]]
  // `start` is a cmd built-in; its first quoted argument is a window title.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url]]
  return ['xdg-open', [url]]
}

export function openInBrowser(url: string, log: Logger): void {
  const [command, args] = browserCommand(url)
  const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true })
  child.on('error', (err) =>
    log.warn({ err, command, url }, `Could not open the chat page with "${command}"; open ${url} by hand or set SOCHAT_BROWSER.`),
  )
  child.unref()
}
