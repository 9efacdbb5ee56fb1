/** The tray agent (`sochat-tray`). See README.md. */
export { Tray, type TrayOptions } from './tray.js'
export { TrayUnavailable } from './systray.js'
export { IconCache, badgeText, drawIcon, everyLook, iconFileName, TONE_COLOURS, BADGE_COLOUR, type IconLook, type Tone } from './icons.js'
export { viewOf, type TrayView } from './menu.js'
