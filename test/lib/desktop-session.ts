/**
 * A private desktop for tests: Xvfb on a display it picks itself, a D-Bus session bus on a
 * socket path (path sockets cross network namespaces, abstract ones do not), Debian's dunst
 * as the real notification server, dbus-monitor recording every Notify call, and optionally
 * trayer as the system tray. Everything is killed and removed at teardown.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

export interface Notification {
  app: string
  summary: string
  body: string
}

export interface SessionTest {
  teardown(fn: () => unknown): void
}

const TOOLS = ['Xvfb', 'dbus-daemon', 'dbus-monitor', 'dbus-send', 'dunst', 'dunstctl', 'notify-send', 'trayer', 'xdotool', 'import']
export const TRAY_HEIGHT = 40

/** The commands of `tools` this machine does not have. */
export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
}

/** What this machine lacks for a desktop session, or null. */
export function missingDesktopTools(): string | null {
  const missing = missingTools(TOOLS)
  return missing.length
    ? `missing ${missing.join(', ')} (bash .ci/run installs xvfb dbus dunst libnotify-bin trayer xdotool imagemagick)`
    : null
}

/** Xvfb on a display number it picks itself (-displayfd); resolves with ":N". */
export async function startXvfb(children: ChildProcess[]): Promise<string> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '640x240x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  })
  children.push(xvfb)
  return `:${(await firstLine(xvfb.stdio[3] as NodeJS.ReadableStream, 'Xvfb display')).trim()}`
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class DesktopSession {
  readonly notifications: Notification[] = []
  private readonly children: ChildProcess[] = []
  private monitorText = ''

  private constructor(
    readonly dir: string,
    readonly display: string,
    readonly busAddress: string,
  ) {}

  /** Environment for a process that lives in this desktop. */
  get env(): Record<string, string> {
    return { DISPLAY: this.display, DBUS_SESSION_BUS_ADDRESS: this.busAddress }
  }

  static async start(t: SessionTest, opts: { tray?: boolean } = {}): Promise<DesktopSession> {
    const dir = mkdtempSync(path.join(tmpdir(), 'sochat-desktop-'))
    const children: ChildProcess[] = []
    t.teardown(() => {
      for (const c of children.reverse()) c.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    })
    const display = await startXvfb(children)
    const busAddress = `unix:path=${path.join(dir, 'bus')}`
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', `--address=${busAddress}`, '--print-address'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    children.push(bus)
    await firstLine(bus.stdout!, 'dbus-daemon address')
    const s = new DesktopSession(dir, display, busAddress)
    s.children.push(...children)
    const env = { ...process.env, ...s.env }
    const monitor = spawn('dbus-monitor', ['--session', "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    children.push(monitor)
    monitor.stdout.on('data', (c: Buffer) => {
      s.monitorText += c.toString()
      s.parseMonitor()
    })
    children.push(spawn('dunst', [], { env, stdio: 'ignore' }))
    if (opts.tray) {
      children.push(
        spawn(
          'trayer',
          [
            '--edge',
            'top',
            '--align',
            'left',
            '--widthtype',
            'pixel',
            '--width',
            '200',
            '--heighttype',
            'pixel',
            '--height',
            String(TRAY_HEIGHT),
            '--tint',
            '0xffffff',
            '--transparent',
            'false',
          ],
          { env, stdio: 'ignore' },
        ),
      )
    }
    await s.waitForNotificationServer(env)
    return s
  }

  /** Waits until `pick` finds a notification, or throws after `ms`. */
  async waitForNotification(pick: (n: Notification) => boolean, ms = 15_000): Promise<Notification> {
    const until = Date.now() + ms
    for (;;) {
      const found = this.notifications.find(pick)
      if (found) return found
      if (Date.now() > until) throw new Error(`no such notification within ${ms} ms; seen: ${JSON.stringify(this.notifications)}`)
      await sleep(100)
    }
  }

  /** The whole screen as a PNG file. */
  async screenshot(file: string): Promise<string> {
    await promisify(execFile)('import', ['-window', 'root', file], { env: { ...process.env, ...this.env }, timeout: 10_000 })
    return file
  }

  /** dunst's own control: `dunstctl action 0` is a click on the newest note, `close-all` dismisses all. */
  async dunstctl(...args: string[]): Promise<void> {
    await promisify(execFile)('dunstctl', args, { env: { ...process.env, ...this.env }, timeout: 10_000 })
  }

  async xdotool(...args: string[]): Promise<void> {
    await promisify(execFile)('xdotool', args, { env: { ...process.env, ...this.env }, timeout: 10_000 })
  }

  private async waitForNotificationServer(env: NodeJS.ProcessEnv): Promise<void> {
    const args = [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      'string:org.freedesktop.Notifications',
    ]
    for (let i = 0; i < 100; i++) {
      const out = await promisify(execFile)('dbus-send', args, { env, timeout: 5000 }).then(
        (r) => r.stdout,
        () => '',
      )
      if (out.includes('boolean true')) return
      await sleep(100)
    }
    throw new Error('dunst did not take org.freedesktop.Notifications within 10 s')
  }

  /** dbus-monitor prints a Notify call as a header line, then one line per argument. */
  private parseMonitor(): void {
    const calls = this.monitorText.split(/\n(?=method call )/)
    const complete = this.monitorText.endsWith('\n') ? calls : calls.slice(0, -1)
    const parsed = complete
      .filter((c) => c.includes('member=Notify'))
      .map((c) => {
        const strings = [...c.matchAll(/^\s+string "(.*)"$/gm)].map((m) => m[1]!)
        return { app: strings[0] ?? '', summary: strings[2] ?? '', body: strings[3] ?? '' }
      })
    this.notifications.splice(0, this.notifications.length, ...parsed)
  }
}

function firstLine(stream: NodeJS.ReadableStream, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within 10 s`)), 10_000)
    stream.on('data', (c: Buffer) => {
      text += c.toString()
      if (text.includes('\n')) {
        clearTimeout(timer)
        resolve(text.split('\n')[0]!)
      }
    })
  })
}
