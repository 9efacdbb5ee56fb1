/** The desktop side of the daemon: tray state, unread count, OS notifications. See README.md. */
export { Desktop, type DesktopOptions, type PageAttention } from './desktop.js'
export { Burst, mentions, preview, type Arrival, type Note } from './burst.js'
export { OsNotifier, type NotificationSink, type OsNotifierOptions } from './notifier.js'
export { MAX_WAITING, NotifySend, escapeMarkup, probeNotifySend } from './notify-send.js'
export { ensureAgentSecret } from './secret.js'
export { openInBrowser } from './browser.js'
