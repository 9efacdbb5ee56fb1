/** The tray agent (`sochat-tray`). See README.md. */
export { Tray, type TrayOptions } from './tray.js'
export { TrayUnavailable } from './systray.js'
export { AgentLink } from './agent-link.js'
export { IconCache, iconSvg, badgeText, TONE_COLOURS, BADGE_COLOUR, type IconLook, type Tone } from './icons.js'
export { viewOf, OPEN_ITEM, DND_ITEM, QUIT_ITEM, type TrayView } from './menu.js'
