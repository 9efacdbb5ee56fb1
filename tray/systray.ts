/**
 * systray2 and its native helper. The package ships the helper without the execute bit and
 * its own `chmod(path, '+x')` throws and is swallowed, so the spawn fails with EACCES: we copy
 * the helper to a cache folder we own, mark it executable, and point systray2 at the copy.
 * Before spawning, a missing display or shared library becomes one sentence for the log.
 */
import { execFile } from 'node:child_process'
import { chmod, copyFile, mkdir, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { Logger } from 'pino'
import systray2 from 'systray2'
import type { ClickEvent, Menu, MenuItem } from 'systray2'

// systray2 is CommonJS with `exports.default`: from ESM the class is one level down.
const SysTray = systray2.default
type SysTray = InstanceType<typeof SysTray>

const HELPERS: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'tray_linux_release',
  darwin: 'tray_darwin_release',
  win32: 'tray_windows_release.exe',
}
const READY_TIMEOUT_MS = 10_000

/** No tray can be shown here; the message says why and what would fix it. */
export class TrayUnavailable extends Error {}

export interface TrayIconOptions {
  cacheDir: string
  log: Logger
  onClick: (index: number) => void
  /** The helper went away after it had started (the panel restarted, it crashed). */
  onGone: (code: number | null, signal: string | null) => void
}

export class TrayIcon {
  private constructor(private readonly tray: SysTray) {}

  static async start(menu: Menu, opts: TrayIconOptions): Promise<TrayIcon> {
    checkDisplay()
    const helperPath = await executableHelper(opts.cacheDir)
    await checkLibraries(helperPath)
    const tray = new SysTray({ menu, copyDir: opts.cacheDir })
    const stderr: string[] = []
    const helper = watchHelper(tray, stderr)
    const ready = tray.ready().then(
      () => 'ready' as const,
      (err: unknown) => {
        throw new TrayUnavailable(`The tray helper could not be started: ${(err as Error).message}`)
      },
    )
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS)
    })
    const outcome = await Promise.race([ready, helper.exited.then(() => 'exited' as const), timeout]).finally(() => {
      clearTimeout(timer)
      helper.stopWatching()
    })
    if (outcome !== 'ready') {
      if (outcome === 'timeout') tray.process?.kill()
      throw new TrayUnavailable(
        `The tray helper ${outcome === 'timeout' ? 'did not start in 10 s' : 'exited'}: ${stderr.join('').trim().slice(0, 400) || 'no output'}`,
      )
    }
    await tray.onClick((event: ClickEvent) => opts.onClick(event.seq_id))
    tray.onExit((code: number | null, signal: string | null) => opts.onGone(code, signal))
    return new TrayIcon(tray)
  }

  async setIcon(icon: string, tooltip: string, items: MenuItem[]): Promise<void> {
    await this.tray.sendAction({ type: 'update-menu', menu: { icon, title: '', tooltip, items } })
  }

  async setItem(index: number, item: MenuItem): Promise<void> {
    await this.tray.sendAction({ type: 'update-item', item, seq_id: index })
  }

  async close(): Promise<void> {
    const child = this.tray.process
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    // kill() waits for 'exit'; a helper that ignores SIGTERM must not hold the tray open.
    await Promise.race([this.tray.kill(false), new Promise((r) => setTimeout(r, 3000).unref())])
  }
}

function checkDisplay(): void {
  if (process.platform !== 'linux') return
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new TrayUnavailable('There is no graphical session (DISPLAY and WAYLAND_DISPLAY are unset).')
  }
}

async function executableHelper(cacheDir: string): Promise<string> {
  const name = HELPERS[process.platform]
  if (!name) throw new TrayUnavailable(`systray2 has no tray helper for ${process.platform}.`)
  const packageDir = dirname(createRequire(import.meta.url).resolve('systray2'))
  const version = (createRequire(import.meta.url)('systray2/package.json') as { version: string }).version
  const source = join(packageDir, 'traybin', name)
  const copy = join(cacheDir, version, name) // where systray2 looks when given copyDir
  const [from, to] = await Promise.all([stat(source), stat(copy).catch(() => null)])
  if (!to || to.size !== from.size) {
    await mkdir(dirname(copy), { recursive: true, mode: 0o700 })
    await copyFile(source, copy)
  }
  await chmod(copy, 0o755)
  return copy
}

/** The Linux helper links GTK 3 and libappindicator3 (Debian: libayatana-appindicator3-1). */
async function checkLibraries(helper: string): Promise<void> {
  if (process.platform !== 'linux') return
  const { stdout } = await promisify(execFile)('ldd', [helper]).catch((err: unknown) => {
    throw new TrayUnavailable(`Could not check the tray helper's libraries with ldd: ${(err as Error).message}`)
  })
  const missing = stdout
    .split('\n')
    .filter((l) => l.includes('not found'))
    .map((l) => l.trim().split(' ')[0])
  if (missing.length > 0) {
    throw new TrayUnavailable(
      `The tray needs ${missing.join(', ')}. On Debian or Ubuntu: apt-get install libayatana-appindicator3-1 libgtk-3-0.`,
    )
  }
}

/** `exited` resolves if the helper dies (even before we looked), collecting what it said. */
function watchHelper(tray: SysTray, stderr: string[]): { exited: Promise<void>; stopWatching: () => void } {
  let attach: NodeJS.Timeout | undefined
  const exited = new Promise<void>((resolve) => {
    attach = setInterval(() => {
      const child = tray.process
      if (!child) return
      clearInterval(attach)
      child.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.join('').length < 4000) stderr.push(chunk.toString())
      })
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => resolve())
    }, 20)
  })
  return { exited, stopWatching: () => clearInterval(attach) }
}
