/**
 * macOS: two launchd agents in ~/Library/LaunchAgents, one for the daemon (restarted when it
 * fails) and one for the tray (in the graphical session only). Pure: builds the plan.
 */
import { posix } from 'node:path'
import type { ServiceTarget } from './options.js'
import { escapeXml, type CommandGroup, type Launch, type PlannedFile, type ServicePlan } from './plan.js'

export const DAEMON_LABEL = 'net.sochat.daemon'
export const TRAY_LABEL = 'net.sochat.tray'

type PlistValue = string | boolean | PlistValue[] | { [key: string]: PlistValue }

export function launchAgentPath(target: ServiceTarget, label: string): string {
  return posix.join(target.home, 'Library', 'LaunchAgents', `${label}.plist`)
}

/** launchd opens the log files but does not make their folder. */
export function logDir(target: ServiceTarget): string {
  return posix.join(target.home, 'Library', 'Logs', 'sochat')
}

export function launchdPlan(target: ServiceTarget): Omit<ServicePlan, 'daemonEntry' | 'trayEntry'> {
  const files = [renderDaemonAgent(target), renderTrayAgent(target)]
  const domain = `gui/${target.uid}`
  const start = files.map(
    (file, i): CommandGroup => ({
      commands: [
        // Unloading first makes a re-install pick up the new file; not being loaded is fine.
        { argv: ['launchctl', 'bootout', `${domain}/${LABELS[i]}`], mayFail: true },
        { argv: ['launchctl', 'bootstrap', domain, file.path] },
      ],
      failed: `Wrote ${file.path}, but launchctl could not load it`,
      manual: `it loads at your next log-in, or now with: launchctl bootstrap ${domain} '${file.path}'`,
    }),
  )
  const stop = LABELS.map(
    (label): CommandGroup => ({
      commands: [{ argv: ['launchctl', 'bootout', `${domain}/${label}`], mayFail: true }],
      failed: `Could not unload ${label} with launchctl`,
      manual: `if it still runs, unload it with: launchctl bootout ${domain}/${label}`,
    }),
  )
  return {
    platform: 'darwin',
    scope: 'user',
    kind: 'launchd agents',
    base: target.home,
    dirs: [logDir(target)],
    files,
    links: [],
    start: target.noStart ? [] : start,
    stop: target.noStart ? [] : stop,
    cleanup: [],
    notes: [...(target.noStart ? start.map((g) => `Not started (--no-start): ${g.manual}`) : []), `Logs: ${logDir(target)}`],
  }
}

const LABELS = [DAEMON_LABEL, TRAY_LABEL]

export function renderDaemonAgent(target: ServiceTarget): PlannedFile {
  const logs = logDir(target)
  return renderPlist(launchAgentPath(target, DAEMON_LABEL), {
    Label: DAEMON_LABEL,
    ProgramArguments: programArguments(target.daemon),
    RunAtLoad: true,
    // Restarted when it exits with an error or a signal, left alone after a clean `sochat stop`.
    KeepAlive: { SuccessfulExit: false },
    StandardOutPath: posix.join(logs, 'daemon.log'),
    StandardErrorPath: posix.join(logs, 'daemon.err.log'),
  })
}

export function renderTrayAgent(target: ServiceTarget): PlannedFile {
  const logs = logDir(target)
  return renderPlist(launchAgentPath(target, TRAY_LABEL), {
    Label: TRAY_LABEL,
    ProgramArguments: programArguments(target.tray),
    RunAtLoad: true,
    // Only in the graphical log-in session: a tray icon means nothing over ssh.
    LimitLoadToSessionType: 'Aqua',
    ProcessType: 'Interactive',
    StandardOutPath: posix.join(logs, 'tray.log'),
    StandardErrorPath: posix.join(logs, 'tray.log'),
  })
}

function programArguments(launch: Launch): string[] {
  return [launch.program, ...launch.args]
}

function renderPlist(path: string, dict: { [key: string]: PlistValue }): PlannedFile {
  const contents = `${[
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- SO-CHAT. Written by `sochat install-service`; `sochat uninstall-service` removes it. -->',
    '<plist version="1.0">',
    ...plistLines(dict, ''),
    '</plist>',
  ].join('\n')}\n`
  return { path, contents, mode: 0o644, encoding: 'utf8' }
}

function plistLines(value: PlistValue, indent: string): string[] {
  if (typeof value === 'string') return [`${indent}<string>${escapeXml(value)}</string>`]
  if (typeof value === 'boolean') return [`${indent}<${value}/>`]
  if (Array.isArray(value)) return [`${indent}<array>`, ...value.flatMap((v) => plistLines(v, `${indent}  `)), `${indent}</array>`]
  const entries = Object.entries(value).flatMap(([key, v]) => [`${indent}  <key>${escapeXml(key)}</key>`, ...plistLines(v, `${indent}  `)])
  return [`${indent}<dict>`, ...entries, `${indent}</dict>`]
}
