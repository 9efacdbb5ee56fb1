/**
 * Light, dark or the system's setting, chosen per person (issue 17). Kept in the browser's
 * storage under the account's name, not on the daemon: it is a choice about this screen
 * (the same person may want dark on a laptop and light on a wall display), no one else needs
 * it, and a replicated entry would put it in every machine's signed log for good.
 *
 * Page-free: storage is handed in; what is read back is checked, never trusted.
 */
import type { KeyValueStore } from '../composer/draft-store-model.js'

export const THEMES = ['system', 'light', 'dark'] as const
export type Theme = (typeof THEMES)[number]

export function themeKey(account: string): string {
  return `so-chat:theme:${encodeURIComponent(account)}`
}

/** Any stored or chosen value as a theme: anything unknown is the system's setting. */
export function parseTheme(value: unknown): Theme {
  return (THEMES as readonly unknown[]).includes(value) ? (value as Theme) : 'system'
}

/** The `data-theme` attribute for <html>: none for the system's setting (style.css's media queries decide). */
export function themeAttribute(theme: Theme): string | null {
  return theme === 'system' ? null : theme
}

export function loadTheme(storage: KeyValueStore | null, account: string): Theme {
  try {
    return parseTheme(storage?.getItem(themeKey(account)))
  } catch {
    return 'system'
  }
}

/** Stores the choice ('system' removes it); throws what the storage throws, for the caller to tell. */
export function saveTheme(storage: KeyValueStore | null, account: string, theme: Theme): void {
  if (!storage) throw new Error('no browser storage')
  if (theme === 'system') storage.removeItem(themeKey(account))
  else storage.setItem(themeKey(account), theme)
}
