/**
 * The theme choice on the page (issue 17): the sidebar's "Theme" select (under "Set yourself away") sets `data-theme` on
 * <html>, which style.css's "Theme" block uses to override the system's light or dark
 * (theme-model.ts says why it is kept in the browser). Logged out, the page follows the
 * system again: the next person's choice is not known yet.
 */
import type { KeyValueStore } from '../composer/draft-store-model.js'
import { loadTheme, parseTheme, saveTheme, type Theme, themeAttribute } from './theme-model.js'

export class ThemeChooser {
  private account: string | null = null

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly storage: KeyValueStore | null,
    private readonly say: (text: string) => void,
  ) {
    select.addEventListener('change', () => this.choose(parseTheme(select.value)))
  }

  /** Logged in as `account`: that person's theme. */
  enter(account: string): void {
    this.account = account
    this.show(loadTheme(this.storage, account))
  }

  /** Logged out: the system's setting. */
  leave(): void {
    this.account = null
    this.show('system')
  }

  private choose(theme: Theme): void {
    this.show(theme)
    if (this.account === null) return
    try {
      saveTheme(this.storage, this.account, theme)
    } catch (err) {
      console.warn('Could not keep the theme in browser storage', err)
      this.say('The theme applies to this page only: the browser refused to store it.')
    }
  }

  private show(theme: Theme): void {
    this.select.value = theme
    const attr = themeAttribute(theme)
    if (attr === null) delete document.documentElement.dataset.theme
    else document.documentElement.dataset.theme = attr
  }
}
