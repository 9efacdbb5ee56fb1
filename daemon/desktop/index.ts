/** The desktop side of the daemon: tray state, unread count, OS notifications. See README.md. */
export { Desktop, type DesktopOptions, type PageAttention } from './desktop.js'
export { Burst, mentions, preview, type Arrival, type Note } from './burst.js'
export { OsNotifier, escapeMarkup, type NotificationSink } from './notifier.js'
export { ensureAgentSecret } from './secret.js'
export { openInBrowser } from './browser.js'
