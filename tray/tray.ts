/**
 * The tray agent: the daemon's desktop state in, an icon and a menu out, and menu clicks back
 * to the daemon (Do not disturb) or the browser (Open SO-CHAT).
 */
import type { Logger } from 'pino'
import type { MenuItem } from 'systray2'
import { openInBrowser } from '../daemon/desktop/index.js'
import type { DesktopState } from '../shared/index.js'
import { AgentLink } from './agent-link.js'
import { IconCache } from './icons.js'
import { DND_ITEM, OPEN_ITEM, QUIT_ITEM, viewOf, type TrayView } from './menu.js'
import { TrayIcon } from './systray.js'

export interface TrayOptions {
  dataDir: string
  cacheDir: string
  log: Logger
}

enum Item {
  Open,
  Status,
  Dnd,
  Separator,
  Quit,
}

export class Tray {
  #state: DesktopState | null = null
  #lastUi: string | null = null
  #shown = ''
  #drawing: Promise<void> = Promise.resolve()
  readonly #icons = new IconCache()
  readonly #link: AgentLink
  #icon: TrayIcon | null = null
  readonly #quit: Promise<void>
  #onQuit: () => void = () => {}
  /** The helper died: quitting is the only way out, and the exit code says it failed. */
  #gone = false
  /** Quit was chosen: the helper's exit that follows is expected. */
  #closing = false

  constructor(private readonly opts: TrayOptions) {
    this.#link = new AgentLink(opts.dataDir, opts.log.child({ part: 'agent-link' }))
    this.#quit = new Promise((resolve) => (this.#onQuit = resolve))
  }

  /**
   * Shows the icon (throws TrayUnavailable when it cannot) and follows the daemon until Quit;
   * resolves false if it ended because the helper went away.
   */
  async run(): Promise<boolean> {
    const view = viewOf(null)
    this.#icon = await TrayIcon.start(
      { icon: await this.#icons.base64(view.look), title: '', tooltip: view.tooltip, items: items(view) },
      {
        cacheDir: this.opts.cacheDir,
        log: this.opts.log,
        onClick: (i) => this.onClick(i),
        onGone: (code, signal) => {
          if (this.#closing) return
          this.opts.log.error({ code, signal }, 'the tray helper went away; the tray quits (start it again with sochat-tray)')
          this.#gone = true
          this.quit()
        },
      },
    )
    this.opts.log.info('tray icon shown')
    this.#link.on('state', (s) => {
      this.#state = s
      this.#lastUi = s.ui
      this.redraw()
    })
    this.#link.on('down', () => {
      this.#state = null
      this.redraw()
    })
    this.#link.start()
    await this.#quit
    this.#link.stop()
    await this.#drawing
    this.#closing = true
    await this.#icon.close()
    return !this.#gone
  }

  quit(): void {
    this.#onQuit()
  }

  private redraw(): void {
    const view = viewOf(this.#state)
    const key = JSON.stringify(view)
    if (key === this.#shown || this.#gone) return
    this.#shown = key
    // One drawing at a time, in order: the helper applies actions as they arrive.
    this.#drawing = this.#drawing
      .then(async () => {
        await this.#icon!.setIcon(await this.#icons.base64(view.look), view.tooltip, items(view))
        await this.#icon!.setItem(Item.Status, items(view)[Item.Status]!)
        await this.#icon!.setItem(Item.Dnd, items(view)[Item.Dnd]!)
        this.opts.log.info({ tone: view.look.tone, unread: view.look.unread, dnd: view.dnd, status: view.status }, 'tray icon updated')
      })
      .catch((err: unknown) => {
        // Drawn again at the next change, even if it looks the same as this one.
        if (this.#shown === key) this.#shown = ''
        this.opts.log.error({ err }, 'updating the tray icon failed')
      })
  }

  private onClick(index: number): void {
    switch (index) {
      case Item.Open:
        return this.open()
      case Item.Dnd:
        return this.toggleDnd()
      case Item.Quit:
        return this.quit()
    }
  }

  private open(): void {
    const ui = this.#state?.ui ?? this.#lastUi
    if (!ui) {
      this.opts.log.warn('Open SO-CHAT: no daemon has answered yet, so there is no page to open; start it with `sochat start`.')
      return
    }
    this.opts.log.info({ ui }, 'opening the chat page')
    openInBrowser(ui, this.opts.log)
  }

  private toggleDnd(): void {
    if (!this.#state) return
    this.#link.setDnd(!this.#state.dnd).catch((err: unknown) => this.opts.log.error({ err }, 'changing Do not disturb failed'))
  }
}

function items(view: TrayView): MenuItem[] {
  return [
    { title: OPEN_ITEM, tooltip: 'Open the chat page in your browser', enabled: true },
    { title: view.status, tooltip: '', enabled: false },
    { title: DND_ITEM, tooltip: 'No notifications except mentions', checked: view.dnd, enabled: true },
    { title: '<SEPARATOR>', tooltip: '', enabled: true },
    { title: QUIT_ITEM, tooltip: 'Close the tray icon (SO-CHAT keeps running)', enabled: true },
  ]
}
