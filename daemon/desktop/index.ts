/** The desktop side of the daemon: tray state, unread count, OS notifications. See README.md. */
export { Desktop, type DesktopOptions, type PageAttention } from './desktop.js'
export { Burst, mentions, preview, single, summary, type Arrival, type Note } from './burst.js'
export { OsNotifier, escapeMarkup, type NotificationSink } from './notifier.js'
export { agentSecretPath, ensureAgentSecret } from './secret.js'
export { browserCommand, openInBrowser } from './browser.js'
