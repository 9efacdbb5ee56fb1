/**
 * The tray's XDG autostart entry (freedesktop "Desktop Application Autostart"): a .desktop
 * file the desktop session (GNOME, KDE, Xfce...) starts at log-in. Pure.
 */
import { posix } from 'node:path'
import type { ServiceTarget } from './options.js'
import type { Launch, PlannedFile } from './plan.js'

/** $XDG_CONFIG_HOME when it is set and absolute (the spec says to ignore it otherwise), else ~/.config. */
export function xdgConfigHome(target: ServiceTarget): string {
  const fromEnv = target.env.XDG_CONFIG_HOME
  return fromEnv && posix.isAbsolute(fromEnv) ? fromEnv : posix.join(target.home, '.config')
}

/** ~/.config/autostart for one user, /etc/xdg/autostart for everyone (--system). */
export function autostartPath(target: ServiceTarget): string {
  const dir = target.system ? posix.join(target.root, 'etc', 'xdg', 'autostart') : posix.join(xdgConfigHome(target), 'autostart')
  return posix.join(dir, 'sochat-tray.desktop')
}

export function renderAutostart(target: ServiceTarget): PlannedFile {
  const lines = [
    '# The SO-CHAT tray, started with the desktop session. Written by `sochat install-service`;',
    '# `sochat uninstall-service` removes it.',
    '[Desktop Entry]',
    'Type=Application',
    'Name=SO-CHAT tray',
    'Comment=SO-CHAT status and notifications in the system tray',
    `Exec=${desktopString(execLine(target.tray))}`,
    'Terminal=false',
    // Autostart only: keeps it out of the application menus.
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
  ]
  return { path: autostartPath(target), contents: `${lines.join('\n')}\n`, mode: 0o644, encoding: 'utf8' }
}

/**
 * The Exec value: every argument in double quotes, where `"`, `` ` ``, `$` and `\` take a
 * backslash, and `%` (a field code) is doubled.
 */
function execLine(launch: Launch): string {
  return [launch.program, ...launch.args].map((arg) => `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`).join(' ')
}

/** The spec applies the string escapes before the Exec quoting, so each backslash is written twice. */
function desktopString(value: string): string {
  return value.replace(/\\/g, '\\\\')
}
