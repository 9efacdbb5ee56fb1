/**
 * Linux: a systemd unit for the daemon (a user unit, or with --system a system unit that runs
 * as one account) plus the tray's autostart entry. Pure: builds the plan, writes nothing.
 */
import { posix } from 'node:path'
import { renderAutostart, xdgConfigHome } from './autostart.js'
import type { ServiceTarget } from './options.js'
import type { CommandGroup, Launch, PlannedFile, ServicePlan } from './plan.js'

const UNIT = 'sochat.service'

export function unitPath(target: ServiceTarget): string {
  return posix.join(unitDir(target), UNIT)
}

function unitDir(target: ServiceTarget): string {
  return target.system ? posix.join(target.root, 'etc', 'systemd', 'system') : posix.join(xdgConfigHome(target), 'systemd', 'user')
}

/** The target whose .wants folder enables the unit: what `[Install] WantedBy=` names. */
function wantedBy(target: ServiceTarget): string {
  return target.system ? 'multi-user.target' : 'default.target'
}

export function systemdPlan(target: ServiceTarget): Omit<ServicePlan, 'daemonEntry' | 'trayEntry'> {
  const scope = target.system ? [] : ['--user']
  const shown = ['systemctl', ...scope].join(' ')
  const cmd = (...args: string[]): { argv: [string, ...string[]] } => ({ argv: ['systemctl', ...scope, ...args] })
  const whenStarts = target.system ? 'at the next boot' : 'at your next log-in'
  const start: CommandGroup = {
    commands: [cmd('daemon-reload'), cmd('restart', UNIT)],
    failed: `Wrote the unit, but ${shown} could not start it`,
    manual: `it starts ${whenStarts}, or start it now with: ${shown} daemon-reload && ${shown} restart sochat`,
  }
  const stop: CommandGroup = {
    commands: [cmd('stop', UNIT)],
    failed: `Could not stop the daemon with ${shown}`,
    manual: `if it still runs, stop it with: ${shown} stop sochat`,
  }
  const cleanup: CommandGroup = {
    commands: [cmd('daemon-reload')],
    failed: `Removed the unit, but ${shown} could not reload`,
    manual: `systemd forgets it ${whenStarts}, or now with: ${shown} daemon-reload`,
  }
  const notes = target.system
    ? [`The daemon runs as ${target.user}; logs: journalctl -u sochat. The tray starts with each desktop session.`]
    : [
        `The daemon starts when you log in; logs: journalctl --user -u sochat. To keep it running while you are logged out: loginctl enable-linger ${target.user}`,
      ]
  return {
    platform: 'linux',
    scope: target.system ? 'system' : 'user',
    kind: target.system ? 'systemd system unit' : 'systemd user unit',
    base: target.system ? target.root : target.home,
    dirs: [],
    files: [renderUnit(target), renderAutostart(target)],
    // Exactly the link `systemctl enable` would make; making it ourselves needs no running systemd.
    links: [{ path: posix.join(unitDir(target), `${wantedBy(target)}.wants`, UNIT), target: `../${UNIT}` }],
    start: target.noStart ? [] : [start],
    stop: target.noStart ? [] : [stop],
    cleanup: target.noStart ? [] : [cleanup],
    notes: target.noStart ? [`Not started (--no-start): ${start.manual}`, ...notes] : notes,
  }
}

export function renderUnit(target: ServiceTarget): PlannedFile {
  const system = target.system
  const lines = [
    '# SO-CHAT daemon. Written by `sochat install-service`; `sochat uninstall-service` removes it.',
    '[Unit]',
    'Description=SO-CHAT LAN chat daemon',
    // mDNS picks its interface at start-up, so a system unit waits for the network; the user
    // manager has no network target, and Restart= covers a daemon that started too early.
    ...(system ? ['Wants=network-online.target', 'After=network-online.target'] : []),
    '',
    '[Service]',
    'Type=simple',
    ...(system ? [`User=${target.user}`] : []),
    `ExecStart=${execStart(target.daemon)}`,
    'Restart=on-failure',
    'RestartSec=2',
    // No StandardOutput=: the journal is systemd's default, and the daemon logs JSON lines to stdout.
    '',
    '[Install]',
    `WantedBy=${wantedBy(target)}`,
  ]
  return { path: unitPath(target), contents: `${lines.join('\n')}\n`, mode: 0o644, encoding: 'utf8' }
}

/**
 * Every word in double quotes, with C escapes for `\` and `"`; `%` (specifiers) is doubled
 * and `$` (environment variables) is written `$$`, so paths reach the daemon as they are.
 */
function execStart(launch: Launch): string {
  return [launch.program, ...launch.args]
    .map(
      (arg) =>
        `"${arg
          .replace(/["\\]/g, (c) => `\\${c}`)
          .replace(/%/g, '%%')
          .replace(/\$/g, () => '$$')}"`,
    )
    .join(' ')
}
